package sheet

// Gap is something a sheet lacks for publication.
type Gap struct {
	Field string `json:"field"`
	// Level is "required" (DCAT-AP or the portals cannot do without it) or "recommended" (DCAT-AP's
	// recommended properties and data.gouv.fr's metadata quality criteria).
	Level string `json:"level"`
	Why   string `json:"why"`
	// Fix is the describe flag (or --from field) that fills it.
	Fix string `json:"fix"`
}

// Missing lists what s lacks for publication on data.gouv.fr or a CKAN portal, required first.
func Missing(s Sheet) []Gap {
	var req, rec []Gap
	need := func(ok bool, field, why, fix string) {
		if !ok {
			req = append(req, Gap{Field: field, Level: "required", Why: why, Fix: fix})
		}
	}
	want := func(ok bool, field, why, fix string) {
		if !ok {
			rec = append(rec, Gap{Field: field, Level: "recommended", Why: why, Fix: fix})
		}
	}
	need(s.Title != "", "title", "DCAT-AP: a dataset has a title", "--title")
	need(len(s.Description) >= 20, "description", "DCAT-AP: a dataset has a description (a few sentences: what, where, how it is made)", "--description")
	need(s.Licence != "", "licence", "portals show the licence of every file; without it data.gouv.fr says « licence non spécifiée »", "licence: in --from")
	need(s.Publisher.Name != "", "publisher", "DCAT-AP: who publishes the dataset", "publisher: in --from, or describe --catalogue --publisher-name")
	need(s.Contact.Email != "", "contact email", "DCAT-AP: a contact point; data.gouv.fr lists it as the dataset's contact", "--contact-email")
	want(s.Contact.Name != "", "contact name", "whom the e-mail reaches (a service, not a person's name, lasts longer)", "--contact-name")
	want(len(s.Keywords) > 0, "keywords", "data.gouv.fr turns them into tags; DCAT-AP recommends them", "--keywords")
	want(len(s.Themes) > 0, "themes", "DCAT-AP: at least one EU data theme", "themes: in --from")
	want(s.Periodicity != "", "periodicity", "data.gouv.fr's quality score checks the update frequency", "--periodicity")
	want(s.Temporal.Start != "" || s.Temporal.End != "", "temporal coverage", "DCAT-AP and data.gouv.fr's quality score: the period the data covers", "temporal: {start, end} in --from")
	want(s.Territory.Code != "" || s.BBox != nil, "spatial coverage", "data.gouv.fr's quality score: the area the data covers", "--territory")
	want(s.Issued != "", "issued", "the date the dataset was first published", "issued: in --from")
	return append(req, rec...)
}

// Publishable tells whether nothing required is missing.
func Publishable(gaps []Gap) bool {
	for _, g := range gaps {
		if g.Level == "required" {
			return false
		}
	}
	return true
}
