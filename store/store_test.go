package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestValidateID(t *testing.T) {
	for _, ok := range []string{"rnn", "znieff1-grenoble-alpes-metropole", "a1"} {
		if ValidateID(ok) != nil {
			t.Errorf("%q rejected", ok)
		}
	}
	for _, bad := range []string{"", "RNN", "a_b", "-a", "a--b", "a b", "a;drop", strings.Repeat("a", 64)} {
		if ValidateID(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if TableName("znieff1-isere") != "znieff1_isere" {
		t.Error(TableName("znieff1-isere"))
	}
}

// A column's type is the narrowest that holds every value seen in it.
func TestSchemaInfersTypes(t *testing.T) {
	tests := []struct {
		values []any
		want   FieldType
	}{
		{[]any{int64(1), 2, nil}, FieldInteger},
		{[]any{int64(1), 2.5}, FieldReal},
		{[]any{"06059", int64(12)}, FieldText},
		{[]any{true, false}, FieldBoolean},
		{[]any{true, int64(1)}, FieldText},
		{[]any{"2020-01-31", "1974-05-15"}, FieldDate},
		{[]any{"2020-01-31", "2020-01-31T10:20:30+01:00"}, FieldText},
		{[]any{"2020-01-31 10:20", "2020-01-31T10:20:30.5Z"}, FieldDateTime},
		{[]any{"2020-02-30"}, FieldText},
		{[]any{nil, nil}, FieldText},
	}
	for _, tt := range tests {
		s := NewSchema(nil)
		for _, v := range tt.values {
			if _, _, err := s.Observe(Row{Properties: []Property{{Key: "x", Value: v}}}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if got := s.Result().Fields[0].Type; got != tt.want {
			t.Errorf("%v: %s, want %s", tt.values, got, tt.want)
		}
	}
	s := NewSchema(nil)
	if _, _, err := s.Observe(Row{Properties: []Property{{Key: "x", Value: struct{}{}}}}, nil); err == nil {
		t.Error("a value of an unknown type was accepted")
	}
}

// A Plan folds Equals into the filter, converted to the fields' types.
func TestNewPlan(t *testing.T) {
	d := Dataset{DatasetInfo: DatasetInfo{ID: "d"}, Fields: []Field{{Name: "n", Type: FieldInteger}, {Name: "name", Type: FieldText}}}
	p, err := NewPlan(d, Query{Equals: []Equal{{Field: "n", Value: "3"}}, Filter: Like{Property: "name", Pattern: "L%"}, Select: []string{"name"}, Limit: -4})
	if err != nil {
		t.Fatal(err)
	}
	and, ok := p.Where.(And)
	if !ok || len(and) != 2 || and[0] != (Compare{Property: "n", Op: "=", Value: int64(3)}) || len(p.Fields) != 1 || p.Limit != 0 {
		t.Errorf("plan %+v", p)
	}
	if _, err := NewPlan(d, Query{Filter: Intersects{}}); !errors.Is(err, ErrBadQuery) {
		t.Errorf("S_INTERSECTS without a geometry: %v", err)
	}
	if _, err := NewPlan(d, Query{Filter: Intersects{Geometry: orb.Point{1, 2}}}); err != nil {
		t.Error(err)
	}
}
