package server

import (
	"encoding/json"
	"errors"
	"testing"
)

// /readyz says whether a load balancer may send requests here: 200 with the datasets while the store answers,
// 503 naming what failed when it does not, and 200 again once it does.
func TestReadyz(t *testing.T) {
	fx, st := memoryFixture(t)
	var answer struct {
		Status   string `json:"status"`
		Datasets int    `json:"datasets"`
		Failed   string `json:"failed"`
		Error    string `json:"error"`
	}
	check := func(code int, status, failed string, datasets int) {
		t.Helper()
		res, body := fx.get(t, "/readyz")
		answer.Status, answer.Datasets, answer.Failed, answer.Error = "", 0, "", ""
		if err := json.Unmarshal(body, &answer); err != nil {
			t.Fatalf("/readyz: %v: %s", err, body)
		}
		if res.StatusCode != code || answer.Status != status || answer.Failed != failed || answer.Datasets != datasets ||
			res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("/readyz: %d %s, want %d %q failed %q with %d datasets", res.StatusCode, body, code, status, failed, datasets)
		}
	}
	check(200, "ready", "", 2)
	st.Fail(errors.New("connection refused"))
	check(503, "unavailable", "database", 0)
	if answer.Error == "" {
		t.Error("/readyz on a broken store does not say why")
	}
	st.Fail(nil)
	check(200, "ready", "", 2)
}
