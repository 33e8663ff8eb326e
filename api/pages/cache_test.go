package pages

import (
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestCacheKey(t *testing.T) {
	f := func(url, acceptLanguage, want string) {
		t.Helper()
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", url, nil)
		if acceptLanguage != "" {
			c.Request.Header.Set("Accept-Language", acceptLanguage)
		}
		if got := cacheKey(c); got != want {
			t.Errorf("%s (%s): %q, want %q", url, acceptLanguage, got, want)
		}
	}
	f("/sites?q=paris&b=2", "", "fr /sites&b=2&q=paris")
	f("/sites?b=2&q=paris&lang=en", "", "en /sites&b=2&q=paris") // the same page in English
	f("/", "en-GB,en;q=0.8", "en /")
	f("/", "de-DE,fr;q=0.5", "fr /")
	f("/?lang=fr", "en", "fr /")
}
