package families

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// Every family keeps the contract the command line relies on: a unique name, a one-line summary, a synopsis
// and an example of its own command, --json and --dataset among its flags, and no state shared between two
// command lines.
func TestFamilies(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range All() {
		a := f.About()
		name := a.Name
		if name == "" || seen[name] || strings.ContainsAny(name, " \t") {
			t.Errorf("family name %q: empty, repeated or not one word", name)
		}
		seen[name] = true
		if s := a.Summary; s == "" || strings.Contains(s, "\n") {
			t.Errorf("%s: summary %q is not one line", name, s)
		}
		if !strings.HasPrefix(a.Synopsis, "import "+name+" ") || !strings.HasPrefix(a.Example, "patrimap import "+name+" ") {
			t.Errorf("%s: synopsis %q, example %q", name, a.Synopsis, a.Example)
		}
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if open := f.Flags(fs); open == nil {
			t.Errorf("%s: Flags returns no Open", name)
		}
		j := fs.Lookup("json")
		if j == nil || j.DefValue != "false" {
			t.Errorf("%s: no --json bool flag", name)
		} else if g, ok := j.Value.(flag.Getter); !ok {
			t.Errorf("%s: --json is not readable", name)
		} else if _, ok := g.Get().(bool); !ok {
			t.Errorf("%s: --json is not a bool", name)
		}
		if fs.Lookup("dataset") == nil {
			t.Errorf("%s: no --dataset flag", name)
		}
		// Two command lines parse into their own values.
		other := flag.NewFlagSet(name, flag.ContinueOnError)
		f.Flags(other)
		if err := fs.Parse([]string{"--dataset", "one"}); err != nil {
			t.Fatal(err)
		}
		if v := other.Lookup("dataset").Value.String(); v != "" {
			t.Errorf("%s: a second flag set sees --dataset %q from the first", name, v)
		}
	}
	if len(All()) != 4 || !seen["geojson"] || !seen["inpn"] || !seen["culture"] || !seen["osm"] {
		t.Errorf("families %v", seen)
	}
	if a, b := All(), All(); &a[0] == &b[0] {
		t.Error("All returns the same list twice: a caller appending to it would change the other's")
	}
}
