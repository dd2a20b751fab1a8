package order

import (
	"testing"
	"time"

	"github.com/kramar/kramar/schema/canon"
)

func TestPersonSplitsTheFullNameOnlyWhenNoPartIsSet(t *testing.T) {
	if p := Person(" Петренко ", "Іван", "", "Інше Ім'я", "050 123 45 67"); p != (Party{LastName: "Петренко", FirstName: "Іван", Phone: "+380501234567"}) {
		t.Errorf("parts: %+v", p)
	}
	if p := Person("", " ", "", "Петренко Іван Іванович", ""); p != (Party{LastName: "Петренко", FirstName: "Іван", MiddleName: "Іванович"}) {
		t.Errorf("full name: %+v", p)
	}
	if p := Person("", "", "", "", ""); p != (Party{}) {
		t.Errorf("nobody: %+v", p)
	}
}

func TestStatusTriesTheStatusThenItsLabelUnlessGivenKeys(t *testing.T) {
	table := map[string]string{"Нове": "Новий", "7": "Сьомий"}
	var o canon.Order
	Status(&o, table, "1", "Нове")
	if o.MarketplaceStatus != "1" || o.StatusName != "Нове" || o.Status != "Новий" {
		t.Errorf("default keys: %+v", o)
	}
	Status(&o, table, "1", "Нове", "1")
	if o.Status != "" {
		t.Errorf("the status only: %q", o.Status)
	}
}

func TestOptionsMapByNameThenID(t *testing.T) {
	table := map[string]string{"Кур'єр": "Курʼєр", "12": "Нова пошта"}
	var o canon.Order
	DeliveryOption(&o, table, " Відділення ", 12)
	PaymentOption(&o, table, "Кур'єр", 12)
	if o.MarketplaceDelivery != "Відділення" || o.Delivery != "Нова пошта" || o.MarketplacePayment != "Кур'єр" || o.Payment != "Курʼєр" {
		t.Errorf("%+v", o)
	}
}

// A change time that cannot be read never rejects the order.
func TestTimesKeepTheCreationTimeForABadChangeTime(t *testing.T) {
	var o canon.Order
	if err := Times(&o, "created", "2025-03-01 12:00:00", "вчора"); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC); !o.CreatedAt.Equal(want) || !o.ModifiedAt.Equal(want) {
		t.Errorf("%v %v", o.CreatedAt, o.ModifiedAt)
	}
	if err := Times(&o, "created", "", ""); err == nil {
		t.Error("a missing creation time was accepted")
	}
}
