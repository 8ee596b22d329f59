package main

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// checkSourcesTable: on paper (pdftotext -layout of the PDF), the table of sources cuts no word: every token of
// its section is a word of the table as the page writes it (html), or a piece of what has no space to wrap at
// (a file name, a URL, a dataset's id), or of a word broken after a hyphen or a slash. A column too narrow
// for its words shows as "Licenc" "e", "décem" "bre".
func checkSourcesTable(t *testing.T, pdfText, page string) {
	t.Helper()
	space := strings.NewReplacer("\u202f", " ", "\u00a0", " ")
	table := regexp.MustCompile(`(?s)<table class="sources">.*?</table>`).FindString(page)
	if table == "" {
		t.Fatal("the page has no table of sources")
	}
	words := map[string]bool{}
	var unbroken []string // may break anywhere
	cell := regexp.MustCompile(`(?s)<t([hd])[^>]*>(.*?)</t[hd]>`)
	id := regexp.MustCompile(`(?s)<span class="dataset-id">(.*?)</span>`)
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, row := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(table, -1) {
		for i, c := range cell.FindAllStringSubmatch(row[1], -1) {
			text := c[2]
			for _, m := range id.FindAllStringSubmatch(text, -1) {
				unbroken = append(unbroken, html.UnescapeString(m[1]))
			}
			text = space.Replace(html.UnescapeString(tags.ReplaceAllString(id.ReplaceAllString(text, " "), " ")))
			if i == 3 && c[1] == "d" { // the file or URL
				unbroken = append(unbroken, strings.Fields(text)...)
				continue
			}
			for _, w := range wordParts(text) {
				words[w] = true
			}
		}
	}
	lines := strings.Split(space.Replace(pdfText), "\n")
	start, end := -1, len(lines)
	for i, l := range lines {
		switch strings.TrimSpace(l) {
		case "Sources et licences", "Sources and licences":
			start = i + 1
		case "Méthode", "Method":
			if start >= 0 && end == len(lines) {
				end = i
			}
		}
	}
	if start < 0 || len(words) == 0 {
		t.Fatalf("no table of sources in the PDF (%d words in the page's)", len(words))
	}
	var cut []string
	for _, l := range lines[start:end] {
		if strings.HasPrefix(strings.TrimSpace(l), "patrimap – ") { // the running header of a new page
			continue
		}
		for _, tok := range wordParts(l) {
			if words[tok] || strings.ContainsFunc(tok, func(r rune) bool { return r == '\f' }) {
				continue
			}
			inside := false
			for _, u := range unbroken {
				inside = inside || strings.Contains(u, tok)
			}
			if !inside {
				cut = append(cut, tok)
			}
		}
	}
	if len(cut) > 0 {
		t.Errorf("the sources table cuts words on paper (a column too narrow): %q", cut)
	}
}

// wordParts splits text into words, and each word after its hyphens and slashes, where a line may break.
func wordParts(text string) []string {
	var out []string
	for _, w := range strings.Fields(text) {
		for w != "" {
			i := strings.IndexAny(w, "-/")
			if i < 0 || i == len(w)-1 {
				out = append(out, w)
				break
			}
			out = append(out, w[:i+1])
			w = w[i+1:]
		}
	}
	return out
}
