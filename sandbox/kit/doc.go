// Package kit holds the marketplace-neutral pieces every sandbox shares: a
// movable clock, a request recorder, a seeded fault injector, bearer-token
// auth, a per-token rate limit and small HTTP helpers. A marketplace sandbox
// composes them around its own handlers and supplies its own error body.
package kit
