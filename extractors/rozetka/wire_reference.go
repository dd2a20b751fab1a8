package rozetka

import "encoding/json"

// OrderStatus is one entry of GET /order-statuses/search (apidoc mirror
// GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md). Status is
// 1 active, 0 blocked; StatusGroup 1 in process, 2 successful, 3 unsuccessful.
type OrderStatus struct {
	ID          int    `json:"id"`
	Name        string `json:"name"` // Russian
	NameUK      string `json:"name_uk"`
	NameEN      string `json:"name_en"`
	StatusGroup int    `json:"status_group"`
	Status      int    `json:"status"`
	Color       string `json:"color,omitempty"`
}

// UnmarshalJSON also accepts name_ua, the spelling one example uses.
func (s *OrderStatus) UnmarshalJSON(data []byte) error {
	type plain OrderStatus
	var v struct {
		plain
		NameUA string `json:"name_ua"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*s = OrderStatus(v.plain)
	if s.NameUK == "" {
		s.NameUK = v.NameUA
	}
	return nil
}

// OrderStatusList is the content of /order-statuses/search.
type OrderStatusList struct {
	OrderStatus []OrderStatus `json:"orderStatus"`
	Meta        Meta          `json:"_meta"`
}

// StatusAvailable is one edge of the transition graph: from ParentID the
// seller may move an order to ChildID. DeliveryType 1 is the seller's own
// delivery, 0 an external carrier (GET /status-availables/search in
// orders.md).
type StatusAvailable struct {
	ID           int64 `json:"id"`
	ParentID     int   `json:"parent_id"`
	ChildID      int   `json:"child_id"`
	DeliveryType int   `json:"delivery_type"`
	MarketGroup  int   `json:"market_group"`
}

// StatusAvailableList is the content of /status-availables/search.
type StatusAvailableList struct {
	StatusAvailables []StatusAvailable `json:"statusAvailables"`
	Meta             Meta              `json:"_meta"`
}

// DeliveryService is one entry of /delivery-services/search. Type 0 is an
// external carrier, 1 the seller's own; ids are opaque: examples disagree
// on which service an id names. MdmID is a String in the model
// (deliverymanagement.md L68, models.md L483) and missing from the
// example; NullString also takes a number.
type DeliveryService struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Status    int        `json:"status"`
	Type      int        `json:"type"`
	MdmID     NullString `json:"mdm_id,omitempty"`
	CanEdit   Bool       `json:"can_edit"`
	CanUse    Bool       `json:"can_use"`
	IsDefault Bool       `json:"is_default"`
}

// DeliveryServiceList is the content of /delivery-services/search.
type DeliveryServiceList struct {
	DeliveryServices []DeliveryService `json:"deliveryServices"`
	Meta             Meta              `json:"_meta"`
}

// PaymentMethod is one entry of /market-payment-methods/list, the
// MarketPaymentMethod model (apidoc mirror
// docs/categories/marketpaymentmethods.md L129-227, models.md L1606-1652).
// It has no title; Description may be null.
type PaymentMethod struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	MustHasKeys Bool         `json:"must_has_keys"`
	HasKeys     Bool         `json:"has_keys"`
	IsAutoHold  Bool         `json:"is_auto_hold"`
	Status      int          `json:"status"` // 1 active, 0 not
	LegalPerson *LegalPerson `json:"legal_person"`
	HasActiveDC Bool         `json:"has_active_dc"`
}

// LegalPerson is the seller's legal entity a payment method is bound to
// (MarketLegalPerson).
type LegalPerson struct {
	ID          int64  `json:"id"`
	FullName    string `json:"full_name"`
	Status      string `json:"status"`
	StatusTitle string `json:"status_title"`
}

// PaymentMethodList is the content of /market-payment-methods/list:
// snake_case payment_methods and no _meta, so it is one page.
type PaymentMethodList struct {
	PaymentMethods []PaymentMethod `json:"payment_methods"`
}

// UpdateOrder is the body of PUT /orders/{id} (orders.md, "1.4.1
// Редагування замовлення (статус, ТТН)"): Status is required;
// TTN is required for 3 and 61, and with 2 it moves the order to 61;
// DuplicateOrderID is required for 49.
type UpdateOrder struct {
	Status           int    `json:"status"`
	SellerComment    string `json:"seller_comment,omitempty"`
	TTN              string `json:"ttn,omitempty"`
	DuplicateOrderID int64  `json:"duplicate_order_id,omitempty"`
}
