package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress draws a progress bar on a terminal; on anything else it draws
// nothing.
type progress struct {
	w     io.Writer // nil when not a terminal
	label string
	total int
	start time.Time

	mu   sync.Mutex
	done int
	last time.Time
}

// newProgress returns a progress bar for total items on w, which it draws
// only if w is a terminal.
func newProgress(w io.Writer, label string, total int) *progress {
	p := &progress{label: label, total: total, start: time.Now()}
	if isTerminal(w) {
		p.w = w
	}
	return p
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// set records that done items are finished.
func (p *progress) set(done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	if p.w != nil && (time.Since(p.last) >= 100*time.Millisecond || done == p.total) {
		p.last = time.Now()
		p.draw()
	}
}

// add records that n more items are finished.
func (p *progress) add(n int) {
	p.mu.Lock()
	done := p.done + n
	p.mu.Unlock()
	p.set(done)
}

func (p *progress) draw() {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = float64(p.done) / float64(p.total)
	}
	filled := int(frac * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	rate := float64(p.done) / max(time.Since(p.start).Seconds(), 1e-3)
	fmt.Fprintf(p.w, "\r%s [%s] %3.0f%% %d/%d %.0f/s ", p.label, bar, 100*frac, p.done, p.total, rate)
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.w != nil {
		p.mu.Lock()
		p.draw()
		p.mu.Unlock()
		fmt.Fprintln(p.w)
	}
}
