package yml

import (
	"encoding/binary"
	"unicode/utf8"
)

// validUTF8 is utf8.Valid, eight bytes at a time for the text Ukrainian
// feeds are made of: ASCII markup and Cyrillic letters, which UTF-8 writes
// in two bytes. utf8.Valid takes every multi-byte character one at a time
// and was a fifth of the parse's instructions (callgrind over the Prom
// benchmark feed); a word of ASCII and two-byte characters is checked here
// with a few shifts and masks, and only a word holding anything else (a
// three- or four-byte character such as ’ or —, or an invalid byte) is
// decoded character by character.
func validUTF8(b []byte) bool {
	const (
		high = 0x8080808080808080
		low5 = 0x1e1e1e1e1e1e1e1e // of a lead byte 110xxxxx, the bits that make it C2 or more
		ones = 0x7f7f7f7f7f7f7f7f
	)
	i := 0
	var carry uint64 // 0x80 when the byte before b[i] began a two-byte character
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		if w&high == 0 && carry == 0 {
			i += 8
			continue
		}
		hi := w & high
		bit6 := (w << 1) & high // each byte's bit 6, moved to its bit 7
		bit5 := (w << 2) & high
		lead := hi & bit6 &^ bit5 // 110xxxxx
		cont := hi &^ bit6        // 10xxxxxx
		// A lead of C0 or C1 would spell an ASCII character in two bytes.
		atLeast2 := ((w & low5) + ones) & high
		if hi&bit6&bit5 == 0 && cont == lead<<8|carry && lead&^atLeast2 == 0 {
			carry = lead >> 56
			i += 8
			continue
		}
		// Something else in this word: decode from the character it is in
		// to the first character boundary after it.
		j := i
		if carry != 0 {
			j--
		}
		for j < i+8 {
			r, n := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && n <= 1 {
				return false
			}
			j += n
		}
		i, carry = j, 0
	}
	if carry != 0 {
		i--
	}
	return utf8.Valid(b[i:])
}
