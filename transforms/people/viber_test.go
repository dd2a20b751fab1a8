package people

import "testing"

func TestViberLinkIsTheSameForEveryWayAPhoneIsWritten(t *testing.T) {
	const want = "viber://chat?number=%2B380501234567"
	for _, phone := range []string{
		"+380501234567", "380501234567", "0501234567", "80501234567", "00380501234567",
		"+38 (050) 123-45-67", "050-123-45-67", "050 123 45 67", " +380 50 123 45 67 ", "(050)1234567",
	} {
		if got := ViberLink(phone); got != want {
			t.Errorf("ViberLink(%q) = %q, want %q", phone, got, want)
		}
	}
	if got := ViberLink("+48 512 345 678"); got != "viber://chat?number=%2B48512345678" {
		t.Errorf("a Polish number: %q", got)
	}
	for _, phone := range []string{"", "немає", "12345", "+380 50 123", "050123456789", "+1234567890123456"} {
		if got := ViberLink(phone); got != "" {
			t.Errorf("ViberLink(%q) = %q, want no link", phone, got)
		}
	}
}
