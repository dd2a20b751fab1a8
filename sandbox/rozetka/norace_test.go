//go:build !race

package rozetka

const raceEnabled = false
