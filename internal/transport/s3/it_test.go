package s3_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport/s3"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

var s3Keys = []string{"B2BGW_IT_S3_ENDPOINT", "B2BGW_IT_S3_REGION", "B2BGW_IT_S3_ACCESS_KEY", "B2BGW_IT_S3_SECRET_KEY",
	"B2BGW_IT_S3_BUCKET", "B2BGW_IT_S3_DATA", "B2BGW_IT_S3_NOACCESS_KEY", "B2BGW_IT_S3_NOACCESS_SECRET"}

// config is a working config rooted at a fresh prefix of the test bucket.
// The server is the partner's side: versitygw's posix backend stores an
// object as a plain file (bucket = folder), so the test writes and reads
// them directly. S3 times are whole seconds.
func config(t testing.TB, env map[string]string) (s3.Config, *transporttest.DirServer) {
	t.Helper()
	prefix := transporttest.RandomName("t-")
	srv := transporttest.NewDirServer(t, filepath.Join(env["B2BGW_IT_S3_DATA"], env["B2BGW_IT_S3_BUCKET"], prefix), time.Second)
	return s3.Config{
		Partner:     "acme",
		Mailbox:     "acme-s3",
		Endpoint:    "http://" + env["B2BGW_IT_S3_ENDPOINT"],
		Region:      env["B2BGW_IT_S3_REGION"],
		Bucket:      env["B2BGW_IT_S3_BUCKET"],
		Prefix:      prefix,
		Addressing:  s3.PathStyle,
		AccessKey:   env["B2BGW_IT_S3_ACCESS_KEY"],
		SecretKey:   env["B2BGW_IT_S3_SECRET_KEY"],
		DialTimeout: 5 * time.Second,
		IOTimeout:   20 * time.Second,
		MaxRetries:  1,
	}, srv
}

func TestConformanceVersitygw(t *testing.T) {
	env := transporttest.Env(t, s3Keys...)
	transporttest.Run(t, transporttest.Harness{
		Partner: "acme",
		NoDeny: "S3 grants rights per account and bucket, not per file; TestPermissionDenied uses a second " +
			"account without rights on the bucket",
		New: func(t *testing.T) transporttest.Fixture {
			cfg, srv := config(t, env)
			d := &transporttest.Dropper{}
			cfg.DialContext = d.Dial
			mb, err := s3.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return srv.Fixture(t, mb, d)
		},
	})
}
