package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/patrimap/patrimap/sheet"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/tableschema"
)

func runValidate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "validate", "validate --dataset ID [--schema FILE|URL] [--json]",
		"patrimap validate --dataset merimee-clermont-auvergne-metropole --schema https://schema.data.gouv.fr/schemas/...json")
	id := fs.String("dataset", "", "dataset `ID` to validate (its CSV download, column by column)")
	schemaArg := fs.String("schema", "", "Table Schema `FILE` or URL (default: the dataset's own, /datasets/ID/schema.json)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *id == "" && len(pos) == 1 {
		*id = pos[0]
	} else if *id == "" || len(pos) > 0 {
		fs.Usage()
		return usageError{errors.New("validate: give --dataset ID")}
	}
	var schema *tableschema.Schema
	name := "its own schema (/datasets/" + *id + "/schema.json)"
	if *schemaArg != "" {
		data, err := readSchema(ctx, *schemaArg)
		if err != nil {
			return err
		}
		if schema, err = tableschema.Parse(data); err != nil {
			return fmt.Errorf("validate: %s: %w", *schemaArg, err)
		}
		name = *schemaArg
	}

	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sn, err := st.Snapshot(ctx)
	if err != nil {
		return err
	}
	defer sn.Close()
	d, err := sn.Dataset(ctx, *id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("validate: no dataset %q in %s (patrimap datasets lists them)", *id, e.dbName())
	}
	if err != nil {
		return err
	}
	if schema == nil {
		if schema, err = tableschema.Generate(ctx, sn, d); err != nil {
			return err
		}
	}
	rep, err := tableschema.ValidateDataset(ctx, sn, d, schema, name)
	if err != nil {
		return err
	}
	sn.Close()
	// The sheet shows the last validation against a published schema.
	if *schemaArg != "" {
		rec, err := sheet.Load(ctx, st, d.ID)
		if err != nil {
			return err
		}
		rec.Validation = &sheet.Validation{Schema: name, At: time.Now().UTC(), Valid: rep.Valid, Rows: rep.Rows, Errors: map[string]int{}}
		for k, n := range rep.ByKind {
			rec.Validation.Errors[k] = int(n)
		}
		if err := sheet.Save(ctx, st, d.ID, rec); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.Print(e.stdout, d.ID)
	}
	if !rep.Valid {
		return fmt.Errorf("validate: %s does not conform to %s: %d errors in %d of %d rows", d.ID, name, rep.Errors, rep.InvalidRows, rep.Rows)
	}
	return nil
}

// readSchema reads a schema from a file or an http(s) URL, at most tableschema.MaxSchemaSize bytes.
func readSchema(ctx context.Context, arg string) ([]byte, error) {
	var r io.Reader
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, arg, nil)
		if err != nil {
			return nil, usageError{fmt.Errorf("validate --schema %q: %w", arg, err)}
		}
		req.Header.Set("Accept", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("validate: downloading the schema %s: %w (download it and give --schema FILE)", arg, err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("validate: downloading the schema %s: HTTP %s", arg, res.Status)
		}
		r = res.Body
	} else {
		f, err := os.Open(arg)
		if err != nil {
			return nil, fmt.Errorf("validate --schema: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, tableschema.MaxSchemaSize+1))
	if err != nil {
		return nil, fmt.Errorf("validate: reading the schema %s: %w", arg, err)
	}
	return data, nil
}
