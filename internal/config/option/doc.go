// Package option declares configuration options once and derives from that
// one declaration everything a configuration file needs: strict YAML
// decoding with file:line:col problems ("did you mean"), defaults,
// environment overrides, secret references and their redaction, a JSON
// Schema for editors (yaml-language-server) and Markdown reference tables.
//
// A declaration is a Go struct whose fields carry tags:
//
//	type Mailbox struct {
//		_        struct{}      `oneof:"local|sftp"`            // exactly one of these keys
//		Local    *LocalBox     `yaml:"local" doc:"A local folder."`
//		SFTP     *SFTPBox      `yaml:"sftp" doc:"An SFTP server."`
//		Schedule string        `yaml:"schedule" doc:"Cron schedule." default:"*/5 * * * *"`
//		After    string        `yaml:"after" enum:"leave|delete|move" default:"delete"`
//		Timeout  time.Duration `yaml:"timeout" default:"30s"`
//		Password option.Secret `yaml:"password" doc:"Password."`
//	}
//
// Tags: yaml (the key; "-" hides a field), doc (help text for docs and
// schema), default (a YAML scalar applied when the key is absent), enum
// (allowed values separated by |), example, required:"true", noenv:"true"
// (not overridable from the environment). A blank field with
// oneof:"a|b|c" requires exactly one of those keys, exclusive:"a|b"
// allows at most one.
//
// Supported field types: string and named string types, bool, signed
// integers, float64, time.Duration ("90s", "1h30m"), Secret, structs,
// pointers to any of them (nil when the key is absent), slices and
// map[string]T. A struct type that does not carry doc tags (one declared
// by another package) can describe its keys by implementing Describer.
//
// Scalars are read exactly as written: `version: 004010` is the string
// "004010" for a string field, never the number 4010.
package option
