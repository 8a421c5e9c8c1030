using Llmctl.Engine.Output;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;

namespace Llmctl.Engine.Tests.Output;

public class MarkdownSummaryTests
{
    private static string Write(Plan plan, MarkdownOptions options)
    {
        var writer = new StringWriter { NewLine = "\n" };
        MarkdownSummary.Write(writer, plan, options);
        return writer.ToString();
    }

    private static readonly MarkdownOptions WithViolations = new()
    {
        PolicyViolations = [MixedPlan.AdvisoryViolation, MixedPlan.MandatoryViolation],
        PolicyPackVersions = new Dictionary<string, string> { ["llmctl-gpu"] = "0.1.0" },
    };

    [Fact]
    public void The_comment_starts_with_the_stack_and_a_one_line_summary()
    {
        var text = Write(MixedPlan.Build(), WithViolations);

        Assert.StartsWith("""
            ### llmctl preview: `llm-platform/homelab`

            **+1** to create · **-1** to delete · **+-1** to replace · 3 unchanged · ⛔ **blocked by 1 mandatory policy violation**

            """, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Changed_resources_are_a_table_with_their_diff_keys()
    {
        var text = Write(MixedPlan.Build(), WithViolations);

        Assert.Contains("""
            | | Type | Name | Changes |
            |:-:|---|---|---|
            | 🟣 `+-` | `kubernetes:core/v1:PersistentVolumeClaim` | `models` | `~spec` (replace: spec) |
            | 🟢 `+` | `kubernetes:apps/v1:Deployment` | `gateway` |  |
            | 🔴 `-` | `kubernetes:core/v1:Secret` | `old-key` | ⛔ protected |
            """, text, StringComparison.Ordinal);
        Assert.DoesNotContain("`qwen-fast`", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_property_diff_is_collapsed_and_secrets_stay_redacted()
    {
        var text = Write(MixedPlan.Build(), WithViolations);

        Assert.Contains("<details>\n<summary>Property diff</summary>\n\n```\n", text, StringComparison.Ordinal);
        Assert.Contains("+ MASTER_KEY: [secret]", text, StringComparison.Ordinal);
        Assert.Contains("+ UPSTREAM: [known after apply]", text, StringComparison.Ordinal);
        Assert.Contains("```\n\n</details>", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Plans.Secret, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Mandatory_violations_come_first_and_are_marked_as_blocking()
    {
        var text = Write(MixedPlan.Build(), WithViolations);

        Assert.Contains("""
            #### Policy violations

            - ⛔ **mandatory** `llmctl-gpu v0.1.0` **one-active-lane** (`models`: `kubernetes:core/v1:PersistentVolumeClaim`): two lanes are active on gpu0; set Active = false on one of them
            - ⚠️ advisory `llmctl-supply-chain` **pinned-digests**: image ghcr.io/x:latest has no digest
            """, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_cells_escape_pipes_and_line_breaks()
    {
        var violation = new Violation("pack", "p", EnforcementLevel.Advisory, "a | b\n<script>");

        var text = Write(MixedPlan.Build(), new MarkdownOptions { PolicyViolations = [violation] });

        Assert.Contains("a \\| b<br>&lt;script>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_without_changes_says_no_changes_and_has_no_table()
    {
        var plan = new Plan { Project = "llm-platform", Stack = "homelab", Steps = [Plans.Step(StepOp.Same, Plans.Root, custom: false)] };

        var text = Write(plan, new MarkdownOptions());

        Assert.Contains("**No changes** · 1 unchanged", text, StringComparison.Ordinal);
        Assert.DoesNotContain("| Type |", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<details>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_table_is_cut_with_a_count_of_the_rest()
    {
        var steps = Enumerable.Range(0, 5).Select(i => Plans.Step(StepOp.Create, Plans.UrnOf("kubernetes:core/v1:ConfigMap", $"cm-{i}"))).ToArray();

        var text = Write(new Plan { Project = "p", Stack = "s", Steps = steps }, new MarkdownOptions { MaxRows = 2 });

        Assert.Contains("| | … and 3 more | | |", text, StringComparison.Ordinal);
        Assert.DoesNotContain("`cm-2`", text.Split("<details>")[0], StringComparison.Ordinal);
    }
}
