package inpn

import "testing"

func TestDisplayName(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"Haut-Vénéon", "Haut-Vénéon"},
		{"APB Les Goureux", "Les Goureux"},
		{"L’AVAL DU LAC DE REMORAY", "L’Aval du Lac de Remoray"},
		{"MARAIS DE L'ISLE", "Marais de l'Isle"},
		{"ÉCRINS", "Écrins"},
		{"  RÉSERVE   NATURELLE  DES  ÎLES  ", "Réserve Naturelle des Îles"},
		{"RNN Hauts de Chartreuse", "Hauts de Chartreuse"},
		{"CÔTE D’OR", "Côte d’Or"},
	}
	for _, tc := range tests {
		if got := DisplayName(tc.raw, []string{"APB ", "RNN "}); got != tc.want {
			t.Errorf("DisplayName(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestCreatedDate(t *testing.T) {
	tests := []struct {
		in   any
		want string
		bad  bool
	}{
		{"1974-05-15", "1974-05-15", false},
		{"15/05/1974", "1974-05-15", false},
		{"18991230", "", false},
		{"1899-12-30", "", false},
		{"", "", false},
		{nil, "", false},
		{"00000000", "", false},
		{"1998", "1998", false},
		{"sometime", "", true},
	}
	for _, tc := range tests {
		got, err := CreatedDate(tc.in)
		if got != tc.want || (err != nil) != tc.bad {
			t.Errorf("CreatedDate(%v) = %q, %v", tc.in, got, err)
		}
	}
}

func TestAreaHectares(t *testing.T) {
	if a, ok := AreaHectares(" 2.30e+005"); !ok || a != 230000 {
		t.Errorf("overflow text: %v %v", a, ok)
	}
	if _, ok := AreaHectares(0.0); ok {
		t.Error("0.0000 means unknown")
	}
}
