//go:build race

package rozetka

// raceEnabled: the race detector slows seeding tenfold, so timing checks are off.
const raceEnabled = true
