package main

import (
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

func TestReadInvocation(t *testing.T) {
	var sum experiment.Summary
	updates := 0
	err := readInvocation(strings.NewReader("0 ok\n3 failed\n4 timedout\n5 skipped\n7 ok\n"), &sum, func() { updates++ })
	want := experiment.Summary{Trials: 4, Failed: 1, TimedOut: 1, Skipped: 1}
	if err != nil || sum != want || updates != 5 {
		t.Errorf("got %+v, %d updates, %v; want %+v, 5 updates", sum, updates, err, want)
	}
	t.Run("ErrUnexpectedLine", func(t *testing.T) {
		var sum experiment.Summary
		if err := readInvocation(strings.NewReader("0 ok\nhello\n"), &sum, func() {}); err == nil || sum.Trials != 1 {
			t.Errorf("got %+v, %v; want 1 trial and an error", sum, err)
		}
	})
}
