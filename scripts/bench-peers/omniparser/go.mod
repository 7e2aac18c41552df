module b2bgw/bench/omni

go 1.22

require github.com/jf-tech/omniparser v1.0.5
