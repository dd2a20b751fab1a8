package epicentr

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	wire "github.com/kramar/kramar/extractors/epicentr"
)

// knownStatuses are the codes the list filter accepts (the wire.Status* set).
var knownStatuses = map[string]bool{
	wire.StatusNew: true, wire.StatusConfirmedByMerchant: true, wire.StatusConfirmed: true, wire.StatusSent: true,
	wire.StatusDelivered: true, wire.StatusCompleted: true, wire.StatusClosed: true, wire.StatusCanceled: true,
	wire.StatusCanceledByMerchant: true, wire.StatusReturned: true, wire.StatusReturnRequested: true,
	wire.StatusCompletedMerchantRejection: true, wire.StatusClosedMerchantRejection: true,
}

// merchantMoves are what the seller may do through change-status, as
// allowed-statuses reports it. Observed on live accounts: new → confirmed
// or canceled; sent only after confirmation and with a shipment number.
// Live clients confirm a new order with confirmed_by_merchant, after
// checking allowed-statuses offers it (accept_order of a third-party
// order agent, agents/orders/noire_order_notifier.py): both are offered.
var merchantMoves = map[string][]string{
	wire.StatusNew:                 {wire.StatusConfirmedByMerchant, wire.StatusConfirmed, wire.StatusCanceled},
	wire.StatusConfirmedByMerchant: {wire.StatusConfirmed, wire.StatusCanceled},
	wire.StatusConfirmed:           {wire.StatusSent, wire.StatusCanceled},
	wire.StatusDelivered:           {wire.StatusCompleted},
	wire.StatusReturnRequested:     {wire.StatusReturned},
}

// otherMoves are what the carrier, the buyer and Epicentr do; SetStatus
// may make these too.
var otherMoves = map[string][]string{
	wire.StatusNew:                 {wire.StatusConfirmedByMerchant, wire.StatusCanceledByMerchant},
	wire.StatusConfirmedByMerchant: {wire.StatusCanceledByMerchant},
	wire.StatusConfirmed:           {wire.StatusCanceledByMerchant},
	wire.StatusSent:                {wire.StatusDelivered, wire.StatusCompleted, wire.StatusReturned, wire.StatusClosedMerchantRejection},
	wire.StatusDelivered:           {wire.StatusReturned, wire.StatusCompletedMerchantRejection},
	wire.StatusCompleted:           {wire.StatusClosed, wire.StatusReturnRequested},
	wire.StatusReturnRequested:     {wire.StatusClosed},
	wire.StatusReturned:            {wire.StatusClosed},
}

// waybillProviders are the carriers whose parcels have a shipment number.
var waybillProviders = map[string]*regexp.Regexp{
	// 14 digits; 20…/59… are the common prefixes (RomaBilka/parcel-tracking
	// pkg/determine-delivery/carriers/np/detector.go).
	wire.ProviderNovaPoshta: regexp.MustCompile(`^\d{14}$`),
	// 13 digits domestic, or a UPU S10 international number
	// (RomaBilka/parcel-tracking pkg/determine-delivery/carriers/ukrposhta/carrier.go).
	wire.ProviderUkrposhta: regexp.MustCompile(`^(\d{13}|[A-Z]{2}\d{9}[A-Z]{2})$`),
	// Meest: no published format is known, so letters and digits.
	wire.ProviderMeest: regexp.MustCompile(`^[A-Z0-9]{8,20}$`),
}

// apiError is a refusal with its HTTP status and Epicentr's error body.
type apiError struct {
	status int
	body   wire.APIError
}

func (e *apiError) Error() string { return e.body.Message }

func refuse(status int, msg string) *apiError {
	return &apiError{status: status, body: wire.APIError{Message: msg}}
}

func invalid(field, key string) *apiError {
	return &apiError{status: http.StatusBadRequest, body: wire.APIError{Message: "Validation failed", Errors: map[string][]string{field: {key}}}}
}

func notFound() *apiError { return refuse(http.StatusNotFound, "Order not found") }

// allowed lists the statuses the seller may move o to now.
func allowed(o *wire.Order) []string {
	var out []string
	for _, to := range merchantMoves[o.StatusCode] {
		if to == wire.StatusSent && needsNumber(o) {
			continue
		}
		out = append(out, to)
	}
	return out
}

// needsNumber: a parcel by a carrier cannot be sent without its waybill.
func needsNumber(o *wire.Order) bool {
	sh := shipment(o)
	_, waybill := waybillProviders[sh.Provider]
	return waybill && strings.TrimSpace(string(sh.Number)) == ""
}

func shipment(o *wire.Order) *wire.Shipment {
	if o.Address == nil || o.Address.Shipment == nil {
		return &wire.Shipment{}
	}
	return o.Address.Shipment
}

// move applies a status change; byMerchant limits it to what change-status
// allows. A cancel by the seller needs a known reason.
func move(r *record, to string, cancel *wire.CancelRequest, byMerchant bool) *apiError {
	o := &r.order
	if !knownStatuses[to] {
		return refuse(http.StatusBadRequest, "Unknown status "+to)
	}
	ok := slices.Contains(allowed(o), to) || !byMerchant && slices.Contains(otherMoves[o.StatusCode], to)
	if !ok {
		if to == wire.StatusSent && needsNumber(o) {
			return invalid("number", "validation.required")
		}
		return refuse(http.StatusBadRequest, "Status change from "+o.StatusCode+" to "+to+" is not allowed")
	}
	if to == wire.StatusCanceled && byMerchant {
		if cancel == nil || strings.TrimSpace(cancel.ReasonCode) == "" {
			return invalid("reason_code", "validation.required")
		}
		if !slices.ContainsFunc(cancelReasons, func(c wire.CancelReason) bool { return c.Code == cancel.ReasonCode }) {
			return invalid("reason_code", "validation.choice")
		}
		if k := cancel.TranslationKey; k != "" && k != wire.TranslationKey(cancel.ReasonCode) {
			return invalid("translationKey", "validation.choice")
		}
		c := *cancel
		r.cancel = &c
	}
	o.StatusCode = to
	return nil
}

// setNumber checks and sets the shipment number (PATCH shipment-number).
func setNumber(r *record, number string) *apiError {
	o := &r.order
	n := strings.ToUpper(strings.Join(strings.Fields(number), ""))
	if n == "" {
		return invalid("number", "validation.required")
	}
	sh := shipment(o)
	format, waybill := waybillProviders[sh.Provider]
	if !waybill {
		return refuse(http.StatusBadRequest, "Provider "+sh.Provider+" has no shipment number")
	}
	if !format.MatchString(n) {
		return invalid("number", "validation.format")
	}
	switch o.StatusCode {
	case wire.StatusNew, wire.StatusConfirmedByMerchant, wire.StatusConfirmed, wire.StatusSent:
	default:
		return refuse(http.StatusBadRequest, "Shipment number cannot be changed in status "+o.StatusCode)
	}
	o.Address.Shipment.Number = wire.Text(n)
	return nil
}

// cancelReasons are the customer cancel reasons whose codes live clients
// use: the real list has 26, of which these 9 are known.
var cancelReasons = func() []wire.CancelReason {
	titles := [][2]string{
		{"customer_dissatisfied_with_the_shipping_cost", "Не влаштовує вартість доставки"},
		{"customer_delivery_speed_too_slow", "Задовго чекати доставку"},
		{"customer_product_characteristics_are_not_suitable", "Не підходять характеристики товару"},
		{"customer_not_timely_confirmation_of_the_availability_of_goods", "Невчасне підтвердження наявності"},
		{"customer_failed_to_contact", "Не вдалося зв'язатися з покупцем"},
		{"customer_other_reason", "Інша причина"},
		{"customer_bought_elsewhere_as_a_gift", "Купив в іншому місці"},
		{"customer_order_duplicate", "Дубль замовлення"},
		{"customer_prepayment_required", "Не влаштовує передоплата"},
	}
	out := make([]wire.CancelReason, len(titles))
	for i, t := range titles {
		out[i] = wire.CancelReason{Code: t[0], Title: t[1], TranslationKey: wire.TranslationKey(t[0])}
	}
	return out
}()
