package yml

import "testing"

func TestPlainText(t *testing.T) {
	// Each case is the description as sent, then its plain text.
	cases := [][2]string{
		{"", ""},
		{"Просто текст.", "Просто текст."},
		{"  два   пробіли\n\tі рядок  ", "два пробіли і рядок"},
		{"<p>Корпус з нержавіючої сталі.</p><ul><li>Колір: білий</li><li>Гарантія: <b>12</b> міс.</li></ul>", "Корпус з нержавіючої сталі. Колір: білий Гарантія: 12 міс."},
		{"Доставка&nbsp;по Україні &amp; самовивіз, &laquo;Нова пошта&raquo; &#8212; 1&nbsp;день", "Доставка по Україні & самовивіз, «Нова пошта» — 1 день"},
		{"рядок<br>рядок<br/>рядок", "рядок рядок рядок"},
		{"a < b, <3 і 5>2", "a < b, <3 і 5>2"},
		{"<!-- коментар --><div>Текст</div>", "Текст"},
		{"<style>p{color:red}</style><P>Текст</P>", "Текст"},
		{"<SCRIPT>x()</script>Текст", "Текст"},
		{"<span>Ціна</span><strong>100</strong>", "Ціна100"},
		{"обрізано <p", "обрізано <p"},
		{"\u00a0текст\u00a0", "текст"},
		{"em\u2003space\u3000і\u202fще — тире", "em space і ще — тире"},
		{"&#x2014; &#X2014; &#0; &#xZZ; &bogus; &amp", "— — &#0; &#xZZ; &bogus; &amp"},
		{"&copy; 2024, &euro;5", "© 2024, €5"},
		{"a&nbsp;&nbsp;&nbsp;b", "a b"},
	}
	for _, c := range cases {
		if got := PlainText(c[0]); got != c[1] {
			t.Errorf("PlainText(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

// Text with nothing to strip, decode or fold is not copied: a million-offer
// feed of plain descriptions costs no allocation here.
func TestPlainTextKeepsCleanTextWithoutCopying(t *testing.T) {
	s := "Антипригарне покриття, діаметр 28 см."
	if n := testing.AllocsPerRun(100, func() { _ = PlainText(s) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func BenchmarkPlainText(b *testing.B) {
	s := "<p>Чайник електричний Bosch 1042, білий. Корпус з нержавіючої сталі, об'єм 1,7 л, потужність 2200 Вт, автовимкнення.</p>" +
		"<ul><li>Колір: білий</li><li>Гарантія: 12 місяців</li><li>Доставка по всій Україні &amp; самовивіз</li></ul>"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = PlainText(s)
	}
}
