using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Tests;

public sealed class PolicyRunnerTests
{
    private sealed class FlagEveryResource(string name, EnforcementLevel level = EnforcementLevel.Advisory) : IResourcePolicy
    {
        public int Calls { get; private set; }
        public string Name => name;
        public string Description => "flags every custom resource";
        public EnforcementLevel DefaultEnforcement => level;

        public IEnumerable<string> Validate(Resource resource)
        {
            Calls++;
            if (resource.IsCustom) yield return $"{resource.Name} flagged";
        }
    }

    private sealed class Throws(string name) : IStackPolicy
    {
        public string Name => name;
        public string Description => "always throws";
        public EnforcementLevel DefaultEnforcement => EnforcementLevel.Advisory;
        public IEnumerable<PolicyFinding> Validate(StackContext stack) => throw new InvalidOperationException("boom");
    }

    private sealed class ThrowsLazily(string name) : IResourcePolicy
    {
        public string Name => name;
        public string Description => "throws while enumerating";
        public EnforcementLevel DefaultEnforcement => EnforcementLevel.Advisory;

        public IEnumerable<string> Validate(Resource resource)
        {
            if (resource.IsCustom) throw new KeyNotFoundException("missing key");
            yield break;
        }
    }

    private sealed class PlanCounter(string name) : IPlanPolicy
    {
        public string Name => name;
        public string Description => "reports the plan's step count";
        public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;
        public IEnumerable<PolicyFinding> Validate(Plan plan, StackContext stack) => [($"{plan.Steps.Count} steps", null)];
    }

    private sealed class Warns(string name) : IStackPolicy
    {
        public string Name => name;
        public string Description => "one warning, one blocking finding";
        public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;
        public IEnumerable<PolicyFinding> Validate(StackContext stack) => [PolicyFinding.Warn("close to the limit"), ("over the limit", null)];
    }

    [Fact]
    public void A_warning_finding_of_a_mandatory_policy_is_advisory_and_the_report_counts_what_ran()
    {
        var report = new PolicyRunner([new Pack("pack", new Warns("budget"), new FlagEveryResource("quiet"))],
            new Dictionary<string, EnforcementLevel> { ["quiet"] = EnforcementLevel.Disabled }).Evaluate(OneResource());

        Assert.Equal([EnforcementLevel.Advisory, EnforcementLevel.Mandatory], report.Violations.Select(v => v.Enforcement));
        Assert.Equal((1, 0, 1, 1, 1), (report.Ran("pack"), report.Passed("pack"), report.Disabled("pack"),
            report.Count("pack", EnforcementLevel.Advisory), report.Count("pack", EnforcementLevel.Mandatory)));
    }

    [Fact]
    public void Settings_that_name_an_unknown_policy_or_give_options_to_one_without_any_are_refused()
    {
        var unknown = Assert.Throws<PolicySettingsException>(() => new PolicyRunner([new Pack("pack", new Warns("budget"))],
            new PolicySettings { Policies = new Dictionary<string, (EnforcementLevel?, System.Text.Json.Nodes.JsonObject?)> { ["bugdet"] = (EnforcementLevel.Advisory, null) } }));
        Assert.Contains("there is no policy 'bugdet'; the policies are: budget", unknown.Message);

        var options = Assert.Throws<PolicySettingsException>(() => new PolicyRunner([new Pack("pack", new Warns("budget"))],
            new PolicySettings { Policies = new Dictionary<string, (EnforcementLevel?, System.Text.Json.Nodes.JsonObject?)> { ["budget"] = (null, new() { ["x"] = 1 }) } }));
        Assert.Equal("budget.x", options.KeyPath);
    }

    private sealed class Pack(string name, params IPolicy[] policies) : PolicyPack
    {
        public override string Name => name;
        public override IReadOnlyList<IPolicy> Policies => policies;
    }

    private static StackContext OneResource() =>
        StackContext.Run("p", "s", _ => new CustomResource("test:index:Thing", "thing", new()));

    [Fact]
    public void Resource_policies_run_over_every_resource_and_report_the_urn()
    {
        var policy = new FlagEveryResource("flag");

        var violation = Assert.Single(new PolicyRunner([new Pack("pack", policy)]).Run(OneResource()));

        Assert.Equal(2, policy.Calls); // the stack root and the thing
        Assert.Equal(new Violation("pack", "flag", EnforcementLevel.Advisory, "thing flagged", new Urn("urn:pulumi:s::p::test:index:Thing::thing")), violation);
    }

    [Fact]
    public void A_policy_override_wins_over_all_which_wins_over_the_default()
    {
        var runner = new PolicyRunner(
            [new Pack("pack", new FlagEveryResource("a"), new FlagEveryResource("b"))],
            new Dictionary<string, EnforcementLevel> { ["all"] = EnforcementLevel.Mandatory, ["b"] = EnforcementLevel.Advisory });

        var levels = runner.Run(OneResource()).ToDictionary(v => v.PolicyName, v => v.Enforcement);

        Assert.Equal(new Dictionary<string, EnforcementLevel> { ["a"] = EnforcementLevel.Mandatory, ["b"] = EnforcementLevel.Advisory }, levels);
    }

    [Fact]
    public void Disabled_policies_are_not_run()
    {
        var policy = new FlagEveryResource("flag");
        var runner = new PolicyRunner([new Pack("pack", policy)], new Dictionary<string, EnforcementLevel> { ["flag"] = EnforcementLevel.Disabled });

        Assert.Empty(runner.Run(OneResource()));
        Assert.Equal(0, policy.Calls);
    }

    [Fact]
    public void A_policy_that_throws_becomes_a_mandatory_violation_naming_it()
    {
        var violation = Assert.Single(new PolicyRunner([new Pack("pack", new Throws("fragile"))]).Run(OneResource()));

        Assert.Equal(("fragile", EnforcementLevel.Mandatory), (violation.PolicyName, violation.Enforcement));
        Assert.Contains("policy 'fragile' of pack 'pack' failed with InvalidOperationException: boom", violation.Message);
    }

    [Fact]
    public void A_resource_policy_that_throws_while_enumerating_is_caught_with_the_resource_urn()
    {
        var violation = Assert.Single(new PolicyRunner([new Pack("pack", new ThrowsLazily("lazy"))]).Run(OneResource()));

        Assert.Equal(EnforcementLevel.Mandatory, violation.Enforcement);
        Assert.Equal("urn:pulumi:s::p::test:index:Thing::thing", violation.Urn?.Value);
        Assert.Contains("KeyNotFoundException", violation.Message);
    }

    [Fact]
    public void Plan_policies_run_only_when_a_plan_is_given()
    {
        var runner = new PolicyRunner([new Pack("pack", new PlanCounter("plan"))]);
        var stack = OneResource();

        Assert.Empty(runner.Run(stack));
        Assert.Equal("0 steps", Assert.Single(runner.Run(stack, new Plan { Project = "p", Stack = "s" })).Message);
    }

    [Fact]
    public void Duplicate_or_malformed_policy_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PolicyRunner([new Pack("pack", new FlagEveryResource("x"), new FlagEveryResource("x"))]));
        Assert.Throws<ArgumentException>(() => new PolicyRunner([new Pack("pack", new FlagEveryResource("has space"))]));
    }
}
