package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"globaloffice/auth"
	"globaloffice/model"
	"globaloffice/store"
)

// Token is a token as the API lists it: never its secret or hash.
type Token struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role" enum:"admin,director,manager,collector"`
	Sites     []string   `json:"sites"`
	Sources   []string   `json:"sources"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	Active    bool       `json:"active"`
}

func tokenOut(t model.Token, now time.Time) Token {
	out := Token{ID: t.ID, Name: t.Name, Role: string(t.Role), Sites: t.Sites, Sources: t.Sources, CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy,
		Active: auth.Active(t, now) == nil}
	if out.Sites == nil {
		out.Sites = []string{}
	}
	if out.Sources == nil {
		out.Sources = []string{}
	}
	if !t.ExpiresAt.IsZero() {
		e := t.ExpiresAt
		out.ExpiresAt = &e
	}
	if !t.RevokedAt.IsZero() {
		r := t.RevokedAt
		out.RevokedAt = &r
	}
	return out
}

type tokensOutput struct {
	Body struct {
		Items []Token `json:"items"`
		PageInfo
	}
}

type tokensInput struct {
	Page
}

type createTokenInput struct {
	Body struct {
		Role    string   `json:"role" enum:"admin,director,manager,collector"`
		Name    string   `json:"name,omitempty" maxLength:"200"`
		Sites   []string `json:"sites,omitempty" maxItems:"1000" doc:"manager: the sites it reads (at least one); collector: where it may write"`
		Sources []string `json:"sources,omitempty" maxItems:"100" doc:"collector: the sources it may write as"`
		Expires string   `json:"expires,omitempty" maxLength:"20" doc:"lifetime, e.g. 90d or 12h (default: never)"`
	}
}

type createTokenOutput struct {
	Status int
	Body   struct {
		Token  Token  `json:"token"`
		Secret string `json:"secret" doc:"shown this once: only its hash is kept"`
	}
}

type tokenIDInput struct {
	ID string `path:"id" maxLength:"40"`
}

type tokenOutput struct{ Body Token }

func (s *Server) registerTokens(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-tokens", Method: http.MethodGet, Path: "/tokens", Tags: []string{"tokens"},
		Summary: "List tokens", Description: "Admins only; secrets are never shown again.",
	}, func(ctx context.Context, in *tokensInput) (*tokensOutput, error) {
		p := principalOf(ctx)
		if err := need(p, p.ManagesTokens(), "managing tokens"); err != nil {
			return nil, err
		}
		ts, err := s.DB.Tokens(ctx)
		if err != nil {
			return nil, s.unavailable(ctx, "reading tokens", err)
		}
		items := make([]Token, len(ts))
		for i, t := range ts {
			items[i] = tokenOut(t, s.now())
		}
		out := &tokensOutput{}
		out.Body.Items, out.Body.PageInfo = paginate(items, in.Page)
		return out, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "create-token", Method: http.MethodPost, Path: "/tokens", Tags: []string{"tokens"},
		Summary: "Create a token", Description: "Admins only. The answer holds the secret, this once.", DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createTokenInput) (*createTokenOutput, error) {
		p := principalOf(ctx)
		if err := need(p, p.ManagesTokens(), "managing tokens"); err != nil {
			return nil, err
		}
		ttl, err := auth.ParseLifetime(in.Body.Expires)
		if err != nil {
			return nil, huma.Error422UnprocessableEntity(err.Error(), &huma.ErrorDetail{Location: "body.expires", Value: in.Body.Expires})
		}
		sites, err := s.Engine.Sites(ctx)
		if err != nil {
			return nil, s.unavailable(ctx, "reading the sites", err)
		}
		known := map[string]bool{}
		for _, st := range sites {
			known[st.ID] = true
		}
		for i, id := range in.Body.Sites {
			if !known[id] {
				return nil, huma.Error422UnprocessableEntity("unknown site "+id, &huma.ErrorDetail{Location: "body.sites[" + strconv.Itoa(i) + "]", Value: id})
			}
		}
		t, secret, err := auth.NewToken(in.Body.Name, model.Role(in.Body.Role), in.Body.Sites, in.Body.Sources, p.Who(), s.now(), ttl)
		if err != nil {
			return nil, huma.Error422UnprocessableEntity(err.Error())
		}
		if err := s.DB.PutToken(ctx, t); err != nil {
			return nil, s.unavailable(ctx, "saving the token", err)
		}
		s.Keyring.Put(t)
		out := &createTokenOutput{Status: http.StatusCreated}
		out.Body.Token, out.Body.Secret = tokenOut(t, s.now()), secret
		return out, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "revoke-token", Method: http.MethodDelete, Path: "/tokens/{id}", Tags: []string{"tokens"},
		Summary: "Revoke a token", Description: "Admins only. This server refuses it at once, others within their refresh interval (10 s).",
	}, func(ctx context.Context, in *tokenIDInput) (*tokenOutput, error) {
		p := principalOf(ctx)
		if err := need(p, p.ManagesTokens(), "managing tokens"); err != nil {
			return nil, err
		}
		t, err := s.DB.RevokeToken(ctx, in.ID, s.now())
		switch {
		case errors.Is(err, store.ErrNoToken):
			return nil, huma.Error404NotFound("no token " + in.ID)
		case err != nil:
			return nil, s.unavailable(ctx, "revoking the token", err)
		}
		s.Keyring.Put(t)
		return &tokenOutput{Body: tokenOut(t, s.now())}, nil
	})
}
