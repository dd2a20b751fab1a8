// Package kit holds the marketplace-neutral pieces every sandbox shares: a
// movable clock, a request recorder, a seeded fault injector, bearer-token
// auth and login sessions, a per-token rate limit, each store's order book
// (Book) with the truth tests compare against (Truth, by store id), the
// control endpoints under /_sandbox/ and small HTTP helpers; kit/fake makes
// the seeded people, phones and addresses. A marketplace sandbox is built
// on them with NewMarket from the Options every sandbox takes, and supplies
// its wire shapes, its rules and its error body.
package kit
