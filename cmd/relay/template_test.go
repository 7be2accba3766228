package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestTemplate pins the deployment contract of template.yaml: the runtime
// the binary is built for, the three subscriptions in us-east-1, the
// dead-letter queue and least-privilege IAM.
func TestTemplate(t *testing.T) {
	raw, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// CloudFormation short-form tags (!Ref, !If) are custom YAML tags;
	// decoding into yaml.Node keeps them without resolving.
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("template.yaml is not YAML: %v", err)
	}
	var tmpl struct {
		Parameters map[string]any `yaml:"Parameters"`
		Resources  map[string]struct {
			Type       string               `yaml:"Type"`
			Properties map[string]yaml.Node `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := doc.Decode(&tmpl); err != nil {
		t.Fatal(err)
	}
	fn, ok := tmpl.Resources["RelayFunction"]
	if !ok || fn.Type != "AWS::Serverless::Function" {
		t.Fatalf("no AWS::Serverless::Function RelayFunction")
	}
	scalar := func(name string) string { n := fn.Properties[name]; return n.Value }
	if scalar("Runtime") != "provided.al2023" || scalar("Handler") != "bootstrap" {
		t.Errorf("Runtime %q, Handler %q", scalar("Runtime"), scalar("Handler"))
	}
	var arch []string
	archNode := fn.Properties["Architectures"]
	if err := archNode.Decode(&arch); err != nil || len(arch) != 1 || arch[0] != "arm64" {
		t.Errorf("Architectures = %v", arch)
	}
	var events map[string]struct {
		Type       string            `yaml:"Type"`
		Properties map[string]string `yaml:"Properties"`
	}
	eventsNode := fn.Properties["Events"]
	if err := eventsNode.Decode(&events); err != nil {
		t.Fatal(err)
	}
	sns := 0
	for name, e := range events {
		if e.Type == "SNS" {
			sns++
			if e.Properties["Region"] != "us-east-1" {
				t.Errorf("event %s: Region %q, want us-east-1", name, e.Properties["Region"])
			}
		}
	}
	if sns != 3 {
		t.Errorf("SNS events = %d, want 3", sns)
	}
	if tmpl.Resources["DeadLetterQueue"].Type != "AWS::SQS::Queue" {
		t.Error("no SQS dead-letter queue")
	}
	for _, p := range []string{"GitHubRepository", "CredentialSource", "AllowedOffers", "DispatchTokenSecretArn", "DispatchTokenParameterName", "GitHubAppId", "GitHubAppPrivateKeySecretArn", "ExtraTopicArns"} {
		if _, ok := tmpl.Parameters[p]; !ok {
			t.Errorf("missing parameter %s", p)
		}
	}
	// The README tells users to add their test topics through the template,
	// so the variable must come from parameters (a hand edit would be
	// reverted on the next deploy), and the relay no longer reads the old
	// replacing variable.
	if strings.Contains(string(raw), "RELAY_ALLOWED_TOPICS") {
		t.Error("template sets RELAY_ALLOWED_TOPICS, which the relay refuses")
	}
	var envVars struct {
		Variables map[string]yaml.Node `yaml:"Variables"`
	}
	envNode := fn.Properties["Environment"]
	if err := envNode.Decode(&envVars); err != nil {
		t.Fatal(err)
	}
	extra, ok := envVars.Variables["RELAY_EXTRA_TOPICS"]
	if !ok {
		t.Fatal("template does not set RELAY_EXTRA_TOPICS")
	}
	extraYAML, _ := yaml.Marshal(&extra)
	for _, p := range []string{"PriceListTopicArn", "DailyTopicArn", "SavingsPlansTopicArn", "ExtraTopicArns"} {
		if !strings.Contains(string(extraYAML), "!Ref "+p) {
			t.Errorf("RELAY_EXTRA_TOPICS does not include %s: %s", p, extraYAML)
		}
	}
	policies := string(raw[strings.Index(string(raw), "Policies:"):strings.Index(string(raw), "Events:")])
	for _, want := range []string{"secretsmanager:GetSecretValue", "ssm:GetParameter", "kms:Decrypt", "kms:ViaService"} {
		if !strings.Contains(policies, want) {
			t.Errorf("policies lack %s", want)
		}
	}
	if strings.Contains(policies, `"*"`) || strings.Contains(policies, "Resource: '*'") {
		t.Error("policies grant a wildcard resource")
	}
}

// cfnTemplate is template.yaml with every value kept as a yaml.Node, so
// that CloudFormation's short-form tags (!Ref, !If, !Not) survive.
type cfnTemplate struct {
	Rules map[string]struct {
		RuleCondition yaml.Node `yaml:"RuleCondition"`
		Assertions    []struct {
			Assert            yaml.Node `yaml:"Assert"`
			AssertDescription string    `yaml:"AssertDescription"`
		} `yaml:"Assertions"`
	} `yaml:"Rules"`
	Parameters map[string]struct {
		Type           string  `yaml:"Type"`
		Default        *string `yaml:"Default"`
		AllowedPattern string  `yaml:"AllowedPattern"`
		MinLength      int     `yaml:"MinLength"`
		Description    string  `yaml:"Description"`
	} `yaml:"Parameters"`
	Conditions map[string]yaml.Node `yaml:"Conditions"`
	Resources  map[string]struct {
		Type       string               `yaml:"Type"`
		Condition  string               `yaml:"Condition"`
		Properties map[string]yaml.Node `yaml:"Properties"`
	} `yaml:"Resources"`
	Outputs map[string]struct {
		Value yaml.Node `yaml:"Value"`
	} `yaml:"Outputs"`
}

func loadTemplate(t *testing.T) (cfnTemplate, string) {
	t.Helper()
	raw, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl cfnTemplate
	if err := yaml.Unmarshal(raw, &tmpl); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	return tmpl, string(raw)
}

// cfn renders a node compactly, tags as calls: !Not [!Equals [!Ref A, ""]]
// becomes Not(Equals(Ref(A),"")), so that tests compare one string.
func cfn(n *yaml.Node) string {
	custom := strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")
	var inner string
	switch n.Kind {
	case yaml.DocumentNode, yaml.AliasNode:
		return cfn(n.Content[0])
	case yaml.ScalarNode:
		inner = n.Value
		if !custom && (n.Value == "" || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0) {
			inner = strconv.Quote(n.Value)
		}
	case yaml.SequenceNode:
		parts := make([]string, len(n.Content))
		for i, c := range n.Content {
			parts[i] = cfn(c)
		}
		inner = strings.Join(parts, ",")
		if !custom {
			inner = "[" + inner + "]"
		}
	case yaml.MappingNode:
		parts := make([]string, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			parts = append(parts, n.Content[i].Value+":"+cfn(n.Content[i+1]))
		}
		inner = "{" + strings.Join(parts, ",") + "}"
	}
	if custom {
		return strings.TrimPrefix(n.Tag, "!") + "(" + inner + ")"
	}
	return inner
}

// An empty credential must fail the deployment with a message naming the
// parameter, not deploy a relay whose every dispatch fails later.
func TestTemplateRefusesEmptyCredential(t *testing.T) {
	tmpl, _ := loadTemplate(t)
	want := map[string]struct {
		source  string
		asserts []string
	}{
		"DispatchTokenSecretGiven":    {"secretsmanager", []string{`Not(Equals(Ref(DispatchTokenSecretArn),""))`}},
		"DispatchTokenParameterGiven": {"ssm", []string{`Not(Equals(Ref(DispatchTokenParameterName),""))`}},
		"GitHubAppGiven":              {"githubapp", []string{`Not(Equals(Ref(GitHubAppId),""))`, `Not(Equals(Ref(GitHubAppPrivateKeySecretArn),""))`}},
	}
	sources := map[string]bool{}
	for name, w := range want {
		r, ok := tmpl.Rules[name]
		if !ok {
			t.Errorf("no rule %s", name)
			continue
		}
		sources[w.source] = true
		if got := cfn(&r.RuleCondition); got != `Equals(Ref(CredentialSource),`+w.source+`)` {
			t.Errorf("rule %s: RuleCondition %s, want it to apply to CredentialSource %s", name, got, w.source)
		}
		if len(r.Assertions) != len(w.asserts) {
			t.Errorf("rule %s: %d assertions, want %d", name, len(r.Assertions), len(w.asserts))
			continue
		}
		for i, a := range r.Assertions {
			if got := cfn(&a.Assert); got != w.asserts[i] {
				t.Errorf("rule %s: Assert %s, want %s", name, got, w.asserts[i])
			}
			param := strings.TrimSuffix(strings.TrimPrefix(w.asserts[i], "Not(Equals(Ref("), `),""))`)
			if !strings.Contains(a.AssertDescription, param) {
				t.Errorf("rule %s: AssertDescription %q does not name %s", name, a.AssertDescription, param)
			}
		}
	}
	// Every credential source the template offers has its rule.
	var allowed struct {
		AllowedValues []string `yaml:"AllowedValues"`
	}
	raw, _ := os.ReadFile("template.yaml")
	var doc struct {
		Parameters map[string]yaml.Node `yaml:"Parameters"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	cs := doc.Parameters["CredentialSource"]
	if err := cs.Decode(&allowed); err != nil {
		t.Fatal(err)
	}
	for _, s := range allowed.AllowedValues {
		if !sources[s] {
			t.Errorf("CredentialSource %s has no rule refusing its empty parameters", s)
		}
	}
}

// The parameters' patterns accept what the README shows and refuse what
// would deploy a broken relay; every default passes its own pattern.
func TestTemplateParameterPatterns(t *testing.T) {
	tmpl, _ := loadTemplate(t)
	for name, p := range tmpl.Parameters {
		if p.Default != nil && p.AllowedPattern != "" && !regexp.MustCompile(p.AllowedPattern).MatchString(*p.Default) {
			t.Errorf("%s: default %q does not match its own AllowedPattern", name, *p.Default)
		}
	}
	for _, tt := range []struct {
		param string
		ok    []string
		bad   []string
	}{
		{"AllowedOffers", []string{"AmazonEC2,AWSLambda,AWSComputeSavingsPlan", "AmazonEC2", "AmazonEC2, AWSLambda", "*"}, []string{"", "AmazonEC2;AWSLambda", "Amazon EC2", "*,AmazonEC2", ",AmazonEC2"}},
		{"DispatchTokenSecretArn", []string{"", "arn:aws:secretsmanager:us-east-1:123456789012:secret:pricechecker-dispatch-AbCdEf"}, []string{"pricechecker-dispatch", "arn:aws:ssm:us-east-1:123456789012:parameter/x"}},
		{"DispatchTokenParameterName", []string{"", "/pricechecker/dispatch-token"}, []string{"pricechecker/token"}},
		{"GitHubAppId", []string{"", "123456"}, []string{"my-app"}},
		{"GitHubAppPrivateKeySecretArn", []string{"", "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-key-AbCdEf"}, []string{"app-key"}},
		{"AlarmEmail", []string{"", "ops@example.com"}, []string{"ops", "ops@example"}},
	} {
		p, ok := tmpl.Parameters[tt.param]
		if !ok || p.AllowedPattern == "" {
			t.Errorf("parameter %s has no AllowedPattern", tt.param)
			continue
		}
		re := regexp.MustCompile(p.AllowedPattern)
		for _, v := range tt.ok {
			if !re.MatchString(v) {
				t.Errorf("%s refuses %q", tt.param, v)
			}
		}
		for _, v := range tt.bad {
			if re.MatchString(v) && (v != "" || p.MinLength == 0) {
				t.Errorf("%s accepts %q", tt.param, v)
			}
		}
	}
	// AllowedOffers has no default: relaying every service (a workflow run
	// per AWS notification) must be chosen, and the cost is written where
	// the choice is made.
	offers := tmpl.Parameters["AllowedOffers"]
	if offers.Default != nil || offers.MinLength != 1 {
		t.Errorf("AllowedOffers: Default %v, MinLength %d; want no default and MinLength 1", offers.Default, offers.MinLength)
	}
	for _, w := range []string{"Actions minute", "a day", "*"} {
		if !strings.Contains(offers.Description, w) {
			t.Errorf("AllowedOffers description does not mention %q: %s", w, offers.Description)
		}
	}
	if got := cfn(ptr(tmpl.Conditions["RelayEveryOffer"])); got != `Equals(Ref(AllowedOffers),"*")` {
		t.Errorf("RelayEveryOffer = %s", got)
	}
	vars := envVariables(t, tmpl)
	if got := vars["RELAY_ALLOWED_OFFERS"]; got != `If(RelayEveryOffer,"",Ref(AllowedOffers))` {
		t.Errorf("RELAY_ALLOWED_OFFERS = %s, want * mapped to empty (every offer) and the list passed through", got)
	}
}

func ptr[T any](v T) *T { return &v }

func envVariables(t *testing.T, tmpl cfnTemplate) map[string]string {
	t.Helper()
	env := tmpl.Resources["RelayFunction"].Properties["Environment"]
	var e struct {
		Variables map[string]yaml.Node `yaml:"Variables"`
	}
	if err := env.Decode(&e); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range e.Variables {
		out[k] = cfn(&v)
	}
	return out
}

// The dead-letter alarm tells someone: it publishes to a topic of the
// stack, which e-mails AlarmEmail when one is given.
func TestTemplateAlarmIsWired(t *testing.T) {
	tmpl, _ := loadTemplate(t)
	alarm := tmpl.Resources["DeadLetterAlarm"]
	if alarm.Type != "AWS::CloudWatch::Alarm" {
		t.Fatal("no DeadLetterAlarm")
	}
	if got := cfn(ptr(alarm.Properties["AlarmActions"])); got != "[Ref(AlarmTopic)]" {
		t.Errorf("AlarmActions = %s, want [Ref(AlarmTopic)]", got)
	}
	if tmpl.Resources["AlarmTopic"].Type != "AWS::SNS::Topic" {
		t.Error("no AWS::SNS::Topic AlarmTopic")
	}
	sub := tmpl.Resources["AlarmEmailSubscription"]
	if sub.Type != "AWS::SNS::Subscription" || sub.Condition != "HasAlarmEmail" {
		t.Errorf("AlarmEmailSubscription: Type %q Condition %q, want a subscription made only when AlarmEmail is set", sub.Type, sub.Condition)
	}
	for k, want := range map[string]string{"TopicArn": "Ref(AlarmTopic)", "Protocol": "email", "Endpoint": "Ref(AlarmEmail)"} {
		if got := cfn(ptr(sub.Properties[k])); got != want {
			t.Errorf("subscription %s = %s, want %s", k, got, want)
		}
	}
	if got := cfn(ptr(tmpl.Conditions["HasAlarmEmail"])); got != `Not(Equals(Ref(AlarmEmail),""))` {
		t.Errorf("HasAlarmEmail = %s", got)
	}
	if p, ok := tmpl.Parameters["AlarmEmail"]; !ok || p.Default == nil || *p.Default != "" {
		t.Error("AlarmEmail must be an optional parameter defaulting to empty")
	}
	if got := cfn(ptr(tmpl.Outputs["AlarmTopicArn"].Value)); got != "Ref(AlarmTopic)" {
		t.Errorf("output AlarmTopicArn = %s", got)
	}
}

// The relay reads the dispatch token under its own name, not GITHUB_TOKEN
// (the Actions token's name), and every !Ref and ${} names something the
// template defines, so a renamed parameter cannot be left dangling.
func TestTemplateNamesAndReferences(t *testing.T) {
	tmpl, raw := loadTemplate(t)
	vars := envVariables(t, tmpl)
	for k, want := range map[string]string{
		"PRICECHECKER_DISPATCH_TOKEN_SECRET_ARN": `If(UseSecret,Ref(DispatchTokenSecretArn),"")`,
		"PRICECHECKER_DISPATCH_TOKEN_PARAMETER":  `If(UseParameter,Ref(DispatchTokenParameterName),"")`,
	} {
		if vars[k] != want {
			t.Errorf("%s = %q, want %s", k, vars[k], want)
		}
	}
	for k := range vars {
		if strings.HasPrefix(k, "GITHUB_TOKEN") {
			t.Errorf("template sets %s: use the PRICECHECKER_DISPATCH_TOKEN names", k)
		}
	}
	defined := map[string]bool{}
	for k := range tmpl.Parameters {
		defined[k] = true
	}
	for k := range tmpl.Resources {
		defined[k] = true
	}
	refs := regexp.MustCompile(`!Ref "?([A-Za-z0-9:]+)|\$\{([A-Za-z0-9:]+)`).FindAllStringSubmatch(raw, -1)
	if len(refs) == 0 {
		t.Fatal("no references found")
	}
	for _, m := range refs {
		name := m[1] + m[2]
		if !defined[name] && !strings.HasPrefix(name, "AWS::") {
			t.Errorf("reference to undefined %s", name)
		}
	}
	conds := regexp.MustCompile(`!If \[(\w+)|Condition: (\w+)`).FindAllStringSubmatch(raw, -1)
	for _, m := range conds {
		if name := m[1] + m[2]; tmpl.Conditions[name].Kind == 0 {
			t.Errorf("condition %s is not defined", name)
		}
	}
}
