package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// runGet fetches a list of URLs (tiles, searches), -runs times after one pass that is not counted, and prints
// the median over the runs of the mean, 95th percentile and slowest answer, with the largest answer; with
// -limit-p95 or -limit-size it says whether they hold.
func runGet(args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	urlsFile := fs.String("urls", "", "file of URLs, one a line; \"# label\" lines start a group reported apart")
	runs := fs.Int("runs", 3, "timed passes")
	limitP95 := fs.Duration("limit-p95", 0, "goal for the 95th percentile of each group (0: none)")
	limitSize := fs.Int("limit-size", 0, "goal for the largest answer of each group, in bytes (0: none)")
	fs.Parse(args)
	groups, err := readGroups(*urlsFile)
	if err != nil {
		return err
	}
	met := true
	fmt.Printf("%-28s %6s %9s %9s %9s %9s\n", "group", "n", "mean ms", "p95 ms", "max ms", "max KB")
	for _, g := range groups {
		var means, p95s, maxes []time.Duration
		size := 0
		for run := 0; run <= *runs; run++ {
			var ss []sample
			for _, u := range g.urls {
				s, err := fetch(u)
				if err != nil {
					return err
				}
				ss = append(ss, s)
			}
			if run == 0 {
				continue
			}
			st := summarise(ss)
			means, p95s = append(means, st.mean), append(p95s, st.p95)
			slowest := time.Duration(0)
			for _, s := range ss {
				slowest = max(slowest, s.d)
			}
			maxes = append(maxes, slowest)
			size = max(size, st.maxSize)
		}
		p95 := median(p95s)
		note := ""
		if *limitP95 > 0 && p95 > *limitP95 {
			met, note = false, " p95 over "+limitP95.String()
		}
		if *limitSize > 0 && size > *limitSize {
			met, note = false, note+fmt.Sprintf(" size over %d KB", *limitSize/1024)
		}
		fmt.Printf("%-28s %6d %9s %9s %9s %9.0f%s\n", g.label, len(g.urls), ms(median(means)), ms(p95), ms(median(maxes)), float64(size)/1024, note)
	}
	if *limitP95 > 0 || *limitSize > 0 {
		if met {
			fmt.Println("goals met")
		} else {
			fmt.Println("goals NOT met")
		}
	}
	return nil
}

type urlGroup struct {
	label string
	urls  []string
}

func readGroups(path string) ([]urlGroup, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []urlGroup
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			out = append(out, urlGroup{label: strings.TrimSpace(line[1:])})
		default:
			if len(out) == 0 {
				out = append(out, urlGroup{label: "all"})
			}
			out[len(out)-1].urls = append(out[len(out)-1].urls, line)
		}
	}
	return out, sc.Err()
}
