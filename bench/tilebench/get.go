package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// runGet fetches a list of URLs (tiles, searches), -runs times after one pass that is not counted, and prints
// the median over the runs of the mean, 95th percentile and slowest answer, with the largest answer; with
// -limit-p95, -limit-max or -limit-size it says whether they hold. Its last lines, ALL, are over every answer.
func runGet(args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	urlsFile := fs.String("urls", "", "file of URLs, one a line; \"# label\" lines start a group reported apart")
	runs := fs.Int("runs", 3, "timed passes")
	limitP95 := fs.Duration("limit-p95", 0, "goal for the 95th percentile of each group (0: none)")
	limitSize := fs.Int("limit-size", 0, "goal for the largest answer of each group, in bytes (0: none)")
	limitMax := fs.Duration("limit-max", 0, "goal for the slowest answer of each group (0: none)")
	fs.Parse(args)
	groups, err := readGroups(*urlsFile)
	if err != nil {
		return err
	}
	met := true
	var all []sample // every group's answers of the run whose mean is the median, for the ALL line
	fmt.Printf("%-28s %6s %9s %9s %9s %9s\n", "group", "n", "mean ms", "p95 ms", "max ms", "max KB")
	for _, g := range groups {
		var means, p95s, maxes []time.Duration
		var passes [][]sample
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
			passes = append(passes, ss)
			st := summarise(ss)
			means, p95s = append(means, st.mean), append(p95s, st.p95)
			maxes = append(maxes, st.slowest)
			size = max(size, st.maxSize)
		}
		p95, slowest := median(p95s), median(maxes)
		all = append(all, passes[medianAt(means)]...)
		note := ""
		if *limitP95 > 0 && p95 > *limitP95 {
			met, note = false, " p95 over "+limitP95.String()
		}
		if *limitSize > 0 && size > *limitSize {
			met, note = false, note+fmt.Sprintf(" size over %d KB", *limitSize/1024)
		}
		if *limitMax > 0 && slowest > *limitMax {
			met, note = false, note+" max over "+limitMax.String()
		}
		fmt.Printf("%-28s %6d %9s %9s %9s %9.0f%s\n", g.label, len(g.urls), ms(median(means)), ms(p95), ms(slowest), float64(size)/1024, note)
	}
	// Every answer of every group (each group's median pass): what the script compares with its reference.
	st := summarise(all)
	fmt.Printf("%-28s %6d %9s %9s %9s %9.0f\n", "ALL", st.n, ms(st.mean), ms(st.p95), ms(st.slowest), float64(st.maxSize)/1024)
	fmt.Printf("ALL mean_ms=%s p95_ms=%s max_ms=%s mean_bytes=%d\n", ms(st.mean), ms(st.p95), ms(st.slowest), meanSize(all))
	if *limitP95 > 0 || *limitSize > 0 || *limitMax > 0 {
		if met {
			fmt.Println("goals met")
		} else {
			fmt.Println("goals NOT met")
		}
	}
	return nil
}

// medianAt is the index of the median of v (the run a group's figures are read from).
func medianAt(v []time.Duration) int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	return idx[len(idx)/2]
}

func meanSize(ss []sample) int {
	if len(ss) == 0 {
		return 0
	}
	n := 0
	for _, s := range ss {
		n += s.size
	}
	return n / len(ss)
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
