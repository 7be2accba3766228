package relay

import "fmt"

// The dispatch token's variables. They were once GITHUB_TOKEN*, which
// GitHub Actions also sets for its own, differently scoped token: the new
// names say which token this is, and the old ones are still read (with a
// warning) so that a deployed relay keeps working until it is renamed.
const (
	EnvDispatchToken          = "PRICECHECKER_DISPATCH_TOKEN"
	EnvDispatchTokenSecretARN = "PRICECHECKER_DISPATCH_TOKEN_SECRET_ARN"
	EnvDispatchTokenParameter = "PRICECHECKER_DISPATCH_TOKEN_PARAMETER"

	oldEnvDispatchToken          = "GITHUB_TOKEN"
	oldEnvDispatchTokenSecretARN = "GITHUB_TOKEN_SECRET_ARN"
	oldEnvDispatchTokenParameter = "GITHUB_TOKEN_PARAMETER"
)

// renamedEnv reads a variable under its new name, falling back to its old
// one. It returns the value, the name it came from (for error messages)
// and a warning when the old name was set, never including the value.
func renamedEnv(get func(string) string, name, old string) (val, from, warning string) {
	val, oldVal := get(name), get(old)
	switch {
	case oldVal == "":
		return val, name, ""
	case val == "":
		return oldVal, old, fmt.Sprintf("%s is deprecated: rename it to %s (the old name is still read for now)", old, name)
	default:
		return val, name, fmt.Sprintf("both %s and %s are set: using %s; remove %s", name, old, name, old)
	}
}
