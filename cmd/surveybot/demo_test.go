package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestDemoDataWaves makes three demo waves, the last one current, refuses
// to make them again, and refuses flags that make no data set.
func TestDemoDataWaves(t *testing.T) {
	cli := operatorCLI(t)
	code, out, errOut := cli("demo-data", "--responses", "60", "--waves", "3", "--weeks", "2", "--seed", "4")
	if code != 0 || !strings.Contains(out, "60 synthetic responses") || !strings.Contains(out, "about 20 each") {
		t.Fatalf("demo-data: %d %s %s", code, out, errOut)
	}
	code, out, errOut = cli("wave", "list")
	if code != 0 {
		t.Fatalf("wave list: %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasSuffix(lines[1], "over") || !strings.HasSuffix(lines[2], "over") || !strings.HasSuffix(lines[3], "current") {
		t.Errorf("waves after demo-data, want two over and the last current:\n%s", out)
	}
	for _, l := range lines[1:] {
		if !regexp.MustCompile(`^20\d\d-[12] `).MatchString(l) {
			t.Errorf("a wave not named by half year: %s", l)
		}
	}
	name := strings.Fields(lines[3])[0]
	code, _, errOut = cli("demo-data", "--responses", "30", "--waves", "1", "--weeks", "2", "--seed", "4")
	if code != 1 || !strings.Contains(errOut, "demo wave "+name) || !strings.Contains(errOut, "exists") {
		t.Errorf("demo-data into its own waves again: %d %q, want exit 1 naming wave %s", code, errOut, name)
	}
	for _, args := range [][]string{
		{"--waves", "0"},
		{"--responses", "2", "--waves", "3"},
		{"--waves", "2", "--weeks", "26"},
		{"--waves", "21"},
		{"extra"},
	} {
		if code, _, _ := cli(append([]string{"demo-data"}, args...)...); code != 2 {
			t.Errorf("demo-data %v: exit %d, want 2", args, code)
		}
	}
}
