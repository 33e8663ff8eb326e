// Package auth decides who may see and do what on the API.
//
// A caller is a Principal: the anonymous public, or the holder of a bearer
// token with a role (model.Role) and, for managers and collectors, the sites
// and sources it is limited to. Tokens are random secrets shown once; only
// their SHA-256 is stored (token.go). A Keyring (keyring.go) keeps the
// stored tokens in memory, refreshed from the database, so that checking a
// token costs no query. The rules of each role are methods of Principal
// (principal.go), written once here for every route, page and export:
//
//   - admin: everything, including rejects' raw text and tokens;
//   - director: reads everything (survey comments included), sets targets,
//     closes periods;
//   - manager: reads only its sites, their comments included;
//   - collector: writes records only, for its sources and sites when given,
//     and reads only its own rejects;
//   - anonymous: only closed periods, only published indicators, only
//     results with enough sample; never rejects, comments, raw records or
//     targets.
package auth
