// Package order holds the steps every marketplace's transform takes the
// same way to fill a canonical order from its decoded wire values: the
// creation and change times, the status and the delivery and payment
// methods with the CRM's names for them from the store's mappings, and the
// buyer and the recipient. A transform keeps its marketplace's own rules:
// which wire fields feed each step and what they mean.
package order

import (
	"strings"
	"time"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/mapping"
	"github.com/kramar/kramar/transforms/people"
	"github.com/kramar/kramar/transforms/timeconv"
)

// Times writes the order's creation time, read from the field named field
// (blank or unreadable: a *canon.FieldError naming it), and its change
// time, which never rejects an order: blank or unreadable, it is the
// creation time (the drift check reports a bad one). A time without an
// offset is Kyiv time, as the Ukrainian marketplaces write it; a gap or an
// overlap of the clock change resolves as timeconv says.
func Times(o *canon.Order, field, created, modified string) error {
	t, err := Time(field, created)
	if err != nil {
		return err
	}
	o.CreatedAt = t
	o.ModifiedAt = timeconv.Modified(modified, timeconv.Kyiv, t)
	return nil
}

// Time reads one time of a record's field as Times reads the creation time.
func Time(field, s string) (time.Time, error) {
	return timeconv.ParseField(field, s, timeconv.Kyiv)
}

// Status writes the status as the marketplace sends it and its label, and
// the CRM status: the store's mapping of the first of keys it maps, or,
// with no keys given, of the status and then its label. An unmapped status
// keeps the order, its CRM status empty.
func Status(o *canon.Order, table map[string]string, status, label string, keys ...string) {
	if len(keys) == 0 {
		keys = []string{status, label}
	}
	o.MarketplaceStatus, o.StatusName = status, label
	o.Status, _ = mapping.First(table, keys...)
}

// Delivery writes the delivery method as the marketplace sends it and the
// CRM's: the store's mapping of the method, else of the first of its
// labels it maps.
func Delivery(o *canon.Order, table map[string]string, method string, labels ...string) {
	o.MarketplaceDelivery = method
	o.Delivery, _ = mapping.First(table, append([]string{method}, labels...)...)
}

// Payment writes the payment method as Delivery writes the delivery method.
func Payment(o *canon.Order, table map[string]string, method string, labels ...string) {
	o.MarketplacePayment = method
	o.Payment, _ = mapping.First(table, append([]string{method}, labels...)...)
}

// DeliveryOption writes the delivery method of an option list: the name the
// cabinet shows, and the CRM's by that name or else by the option's
// numeric id (0: none).
func DeliveryOption(o *canon.Order, table map[string]string, name string, id int64) {
	o.MarketplaceDelivery = strings.TrimSpace(name)
	o.Delivery, _ = mapping.Option(table, name, id)
}

// PaymentOption writes the payment method of an option list as
// DeliveryOption writes the delivery method.
func PaymentOption(o *canon.Order, table map[string]string, name string, id int64) {
	o.MarketplacePayment = strings.TrimSpace(name)
	o.Payment, _ = mapping.Option(table, name, id)
}

// Party is a buyer or a recipient.
type Party = people.Person

// Person is a party named in parts, each trimmed; when no part is set, the
// full name (typed in one field) is split into them. The phone is
// normalised.
func Person(last, first, middle, full, phone string) Party {
	p := Party{
		LastName: strings.TrimSpace(last), FirstName: strings.TrimSpace(first), MiddleName: strings.TrimSpace(middle),
		Phone: people.NormalizePhone(phone),
	}
	if p.LastName+p.FirstName+p.MiddleName == "" {
		p.LastName, p.FirstName, p.MiddleName = people.SplitFullName(full)
	}
	return p
}

// Parties writes the buyer and the recipient into o, and as the manager
// comment the line people.RecipientComment makes of them.
func Parties(o *canon.Order, buyer, recipient Party) {
	o.BuyerLastName, o.BuyerFirstName, o.BuyerMiddleName, o.BuyerPhone = buyer.LastName, buyer.FirstName, buyer.MiddleName, buyer.Phone
	o.RecipientLastName, o.RecipientFirstName, o.RecipientMiddleName, o.RecipientPhone = recipient.LastName, recipient.FirstName, recipient.MiddleName, recipient.Phone
	o.ManagerComment = people.RecipientComment(buyer, recipient)
}
