package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// serve's options that take addresses say what they expect, exit 2, and open nothing.
func TestServeOptionErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--trusted-proxies", "proxy.example"}, `trusted proxy "proxy.example": give an address or a CIDR range`},
		{[]string{"--trusted-proxies", "10.0.0.0/8,10.1.2.3/40"}, `trusted proxy "10.1.2.3/40"`},
		{[]string{"--base-url", "patrimap.example.org"}, "give the public address of the server, http:// or https://"},
		{[]string{"--base-url", "https://user:pw@patrimap.example.org"}, "give the public address of the server"},
	} {
		out, err := patrimap(t, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: exit %d, %v\n%s\nwant exit 2 and %q", tc.args, exitCode(err), err, out, tc.want)
		}
	}
}
