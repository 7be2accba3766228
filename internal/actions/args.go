package actions

import "fmt"

// Args turns the action's inputs into a command line, so that the action
// and the command line share every check and default. The first input that
// is not what its flag takes is kept in Err.
type Args struct {
	in   func(string) string
	Args []string
	Err  error
}

// Args starts a command line from the action's inputs.
func (r *Runner) Args() *Args { return &Args{in: r.Input} }

// Values passes each input that is set as the flag of the same name.
func (a *Args) Values(inputs ...string) {
	for _, input := range inputs {
		a.Value(input, "--"+input)
	}
}

// Value passes the input, when set, as flag.
func (a *Args) Value(input, flag string) {
	if v := a.in(input); v != "" {
		a.Args = append(a.Args, flag, v)
	}
}

// List passes each item of a list input as a repeated flag.
func (a *Args) List(input, flag string) {
	for _, v := range List(a.in(input)) {
		a.Args = append(a.Args, flag, v)
	}
}

// Bools passes each input that is "true" as the flag of the same name; an
// input other than true, false or empty is kept in Err.
func (a *Args) Bools(inputs ...string) {
	for _, input := range inputs {
		switch v := a.in(input); v {
		case "", "false":
		case "true":
			a.Args = append(a.Args, "--"+input)
		default:
			if a.Err == nil {
				a.Err = fmt.Errorf("input %s: %q is not true or false", input, v)
			}
		}
	}
}
