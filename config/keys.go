package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// The settings' names: each setting's key, environment variable and flag
// are derived from its yaml tag, by reflection, so they cannot drift.

// RegisterFlags adds one flag per setting (--clickhouse-tcp-port …) and
// --config to fs.
func RegisterFlags(fs *pflag.FlagSet) {
	def := Default()
	fs.String("config", "", "YAML configuration file (default $"+EnvConfigFile+", then ./"+DefaultFile+" if present)")
	for _, f := range leaves(&def) {
		fs.String(f.flagName(), f.String(), f.desc+" ($"+f.envName()+")")
	}
}

// Keys lists every setting key, e.g. "clickhouse.tcp_port".
func Keys() []string {
	var keys []string
	for _, f := range leaves(&Config{}) {
		keys = append(keys, f.key)
	}
	return keys
}

// EnvNames lists every environment variable Load reads.
func EnvNames() []string {
	names := []string{EnvConfigFile}
	for _, f := range leaves(&Config{}) {
		names = append(names, f.envName())
	}
	return names
}

// leaf is one setting: its key and the field it sets.
type leaf struct {
	key  string
	desc string
	v    reflect.Value
}

func (f leaf) envName() string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(f.key, ".", "_"))
}

func (f leaf) flagName() string {
	return strings.NewReplacer(".", "-", "_", "-").Replace(f.key)
}

func (f leaf) String() string {
	if d, ok := f.v.Interface().(time.Duration); ok {
		return d.String()
	}
	if l, ok := f.v.Interface().([]string); ok {
		return strings.Join(l, ",")
	}
	return fmt.Sprint(f.v.Interface())
}

func (f leaf) set(s string) error {
	switch f.v.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%s: %q is not a duration (e.g. 30s, 5m)", f.key, s)
		}
		f.v.SetInt(int64(d))
		return nil
	}
	switch f.v.Kind() {
	case reflect.Slice:
		var list []string
		for _, v := range strings.Split(s, ",") {
			if v = strings.TrimSpace(v); v != "" {
				list = append(list, v)
			}
		}
		f.v.Set(reflect.ValueOf(list))
	case reflect.String:
		f.v.SetString(s)
	case reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%s: %q is not an integer", f.key, s)
		}
		f.v.SetInt(int64(n))
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", f.key, s)
		}
		f.v.SetFloat(x)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", f.key, s)
		}
		f.v.SetBool(b)
	default:
		return fmt.Errorf("%s: unsupported setting type %s", f.key, f.v.Type())
	}
	return nil
}

// leaves walks the settings struct by its yaml tags.
func leaves(cfg *Config) []leaf {
	var out []leaf
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			key := prefix + name
			fv := v.Field(i)
			if sf.Type.Kind() == reflect.Struct {
				walk(key+".", fv)
				continue
			}
			out = append(out, leaf{key: key, desc: sf.Tag.Get("desc"), v: fv})
		}
	}
	walk("", reflect.ValueOf(cfg).Elem())
	return out
}
