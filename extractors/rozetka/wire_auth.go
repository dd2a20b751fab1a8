package rozetka

// LoginRequest is the body of POST /sites. Password is Base64 of the real
// password (GERA-OneTeam/Rozetka-API-Seller docs/categories/authorization.md:
// "Пароль в base64()"): a plain one is refused with 1004.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Login is the content of a successful POST /sites (authorization.md,
// abridged).
type Login struct {
	ID          int64    `json:"id"`
	AccessToken string   `json:"access_token"`
	Permissions []string `json:"permissions"`
	Roles       []string `json:"roles"`
	Seller      *Seller  `json:"seller,omitempty"`
	Market      *Market  `json:"market,omitempty"`
	Lang        string   `json:"lang,omitempty"`
}

// Seller is the manager who logged in.
type Seller struct {
	FIO   string `json:"fio"`
	Email string `json:"email"`
}

// Market is the seller's shop on Rozetka.
type Market struct {
	ID                   int64  `json:"id"`
	Title                string `json:"title"`
	BusinessModel        string `json:"business_model,omitempty"`
	MarketURL            string `json:"market_url,omitempty"`
	Status               int    `json:"status"`
	FulfillmentAvailable Bool   `json:"fulfillment_available"`
}

// Error codes the client acts on (docs/categories/aboutapi.md, "Опис
// помилок").
const (
	CodeServerError       = 0
	CodeRequiredParameter = 1001
	CodeMessageBroker     = 1003
	CodeBadCredentials    = 1004 // incorrect_username_password
	CodeCheckData         = 1005 // check_correctness_of_data
	CodeAccessDenied      = 1010
	CodeBadToken          = 1018 // incorrect_enter_token
	CodeNotFound          = 1019 // entity_not_found
	CodeBadCredentials2   = 1020 // incorrect_username_pasword (sic)
	CodeInvalidCreds      = 5401
	CodeHTTPNotFound      = 5404
	CodeMaintenance       = 5503
	CodeSessionExpired    = 6001
)
