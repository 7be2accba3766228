package main

import (
	"os"
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
	for _, p := range []string{"GitHubRepository", "CredentialSource", "AllowedOffers", "GitHubTokenSecretArn", "GitHubTokenParameterName", "GitHubAppId", "GitHubAppPrivateKeySecretArn", "ExtraTopicArns"} {
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
