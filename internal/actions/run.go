package actions

import "strconv"

// WorkflowRun is the GitHub workflow run the program runs in, as the
// runner's environment describes it; zero outside Actions.
type WorkflowRun struct {
	Links Links
	// APIURL and Token reach the REST API (GITHUB_API_URL, GITHUB_TOKEN);
	// Repository is owner/name.
	APIURL, Token, Repository string
	// IDText is GITHUB_RUN_ID as given; ID and Attempt are parsed (0 when
	// missing or malformed).
	IDText      string
	ID, Attempt int64
	// HeadSHA is the commit that triggered the run (GITHUB_SHA).
	HeadSHA string
}

// WorkflowRun reads the workflow run from the environment. Outside
// Actions (no GITHUB_REPOSITORY) its links go to the repository at
// repoURL's address, when it returns one: the Actions variables win
// inside Actions.
func (r *Runner) WorkflowRun(repoURL func() string) WorkflowRun {
	w := WorkflowRun{
		Links: r.Links(), APIURL: r.getenv("GITHUB_API_URL"), Token: r.getenv("GITHUB_TOKEN"),
		Repository: r.getenv("GITHUB_REPOSITORY"), IDText: r.getenv("GITHUB_RUN_ID"), HeadSHA: r.getenv("GITHUB_SHA"),
	}
	if w.Links.Repository == "" && repoURL != nil {
		w.Links.Repository = repoURL()
	}
	w.ID, _ = strconv.ParseInt(w.IDText, 10, 64)
	w.Attempt, _ = strconv.ParseInt(r.getenv("GITHUB_RUN_ATTEMPT"), 10, 64)
	return w
}
