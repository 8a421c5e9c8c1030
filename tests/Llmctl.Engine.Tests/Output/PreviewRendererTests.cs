using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Output;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Tests.Output;

public class PreviewRendererTests
{
    private static readonly PreviewOptions WithViolations = new()
    {
        PolicyViolations = [MixedPlan.MandatoryViolation, MixedPlan.AdvisoryViolation],
        PolicyPackVersions = new Dictionary<string, string> { ["llmctl-gpu"] = "0.1.0" },
    };

    private static string Render(Plan plan, PreviewOptions options)
    {
        var writer = new StringWriter { NewLine = "\n" };
        PreviewRenderer.Render(writer, plan, options);
        return writer.ToString();
    }

    [Fact]
    public void A_plan_renders_as_pulumis_table_tree_with_unchanged_leaves_hidden()
    {
        var text = Render(Plans.Homelab(), new PreviewOptions());

        Assert.Equal("""
                 Type                                          Name                  Plan    Info
             +   pulumi:pulumi:Stack                           llm-platform-homelab  create
             +   ├─ llmctl:gpu:NvidiaRuntime                   nvidia                create
             +   │  └─ kubernetes:node.k8s.io/v1:RuntimeClass  nvidia                create
             ~   └─ kubernetes:apps/v1:Deployment              qwen-fast             update  [diff: ~spec]

            Resources:
                + 3 to create
                ~ 1 to update
                4 changes. 5 unchanged

            """, text);
    }

    [Fact]
    public void Show_sames_lists_unchanged_resources_with_an_empty_plan_column()
    {
        var text = Render(Plans.Homelab(), new PreviewOptions { ShowSames = true });

        Assert.Contains("\n     ├─ kubernetes:core/v1:ConfigMap               cm-0\n", text, StringComparison.Ordinal);
        Assert.Equal(5, text.Split('\n').Count(l => l.Contains("ConfigMap", StringComparison.Ordinal)));
    }

    [Fact]
    public void Unchanged_ancestors_of_a_change_stay_so_the_tree_reads_well()
    {
        var text = Render(MixedPlan.Build(), WithViolations);

        Assert.Contains("""
                 pulumi:pulumi:Stack                             llm-platform-homelab           1 error; 1 policy violation
                 ├─ llmctl:lanes:Lane                            qwen-fast
             +-  │  └─ kubernetes:core/v1:PersistentVolumeClaim  models                replace  [diff: ~spec]; replace: spec; 1 policy violation
             +   ├─ kubernetes:apps/v1:Deployment                gateway               create   1 warning
             -   └─ kubernetes:core/v1:Secret                    old-key               delete   protected; 1 error
            """, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Service", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replace_is_one_row_unless_replacement_steps_are_asked_for()
    {
        var single = Render(MixedPlan.Build(), new PreviewOptions());
        var steps = Render(MixedPlan.Build(), new PreviewOptions { ShowReplacementSteps = true });

        Assert.Contains(" +-  │  └─ kubernetes:core/v1:PersistentVolumeClaim  models", single, StringComparison.Ordinal);
        Assert.DoesNotContain(" ++ ", single, StringComparison.Ordinal);
        Assert.Contains("""
             ++  │  ├─ kubernetes:core/v1:PersistentVolumeClaim  models                create replacement  [diff: ~spec]; replace: spec
             --  │  └─ kubernetes:core/v1:PersistentVolumeClaim  models                delete original
            """, steps, StringComparison.Ordinal);
        Assert.DoesNotContain(" +- ", steps, StringComparison.Ordinal);
        Assert.Contains("    +-1 to replace\n", steps, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_before_replace_shows_the_delete_row_first()
    {
        var text = Render(MixedPlan.Build(deleteBeforeReplace: true), new PreviewOptions { ShowReplacementSteps = true });

        Assert.True(text.IndexOf(" --  ", StringComparison.Ordinal) < text.IndexOf(" ++  ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_diff_mode_prints_property_diffs_under_each_change_with_secrets_and_unknowns_masked()
    {
        var text = Render(MixedPlan.Build(), new PreviewOptions { Diff = true });

        Assert.Contains("""
             +-  │  └─ kubernetes:core/v1:PersistentVolumeClaim  models                replace  [diff: ~spec]; replace: spec
                 │        ~ spec: {
                 │            ~ storageClassName: "local-path" => "nfs"
                 │          }
             +   ├─ kubernetes:apps/v1:Deployment                gateway               create   1 warning
                 │     + args: [
                 │         + [0]: "--port"
                 │         + [1]: 4000
                 │       ]
                 │     + env: {
                 │         + MASTER_KEY: [secret]
                 │         + UPSTREAM: [known after apply]
                 │       }
                 │     + image: "ghcr.io/berriai/litellm:v1.80.0"
             -   └─ kubernetes:core/v1:Secret                    old-key               delete   protected; 1 error
                       - stringData: {
                           - key: [secret]
                         }
            """, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Plans.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(PropertyValues.UnknownString, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_secret_is_shown_changed_without_either_value()
    {
        var urn = Plans.UrnOf("kubernetes:apps/v1:Deployment", "qwen-fast");
        var step = Plans.Step(StepOp.Update, urn, Plans.Root, Plans.Deployment(1), Plans.Deployment(1, PropertyValues.Secret("rotated-key")),
            diff: [new PropertyDiff("spec.template.spec.containers[0].env.API_KEY", DiffKind.Update)]);

        var text = Render(new Plan { Project = "llm-platform", Stack = "homelab", Steps = [step] }, new PreviewOptions { Diff = true });

        Assert.Contains("~ API_KEY: [secret] => [secret]", text, StringComparison.Ordinal);
        Assert.Contains("~ containers: [", text, StringComparison.Ordinal);
        Assert.Contains("~ [0]: {", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Plans.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("rotated-key", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_update_to_a_value_known_only_after_apply_says_so()
    {
        var urn = Plans.UrnOf("kubernetes:core/v1:ConfigMap", "endpoints");
        var step = Plans.Step(StepOp.Update, urn, null, new JsonObject { ["url"] = "http://old" }, new JsonObject { ["url"] = PropertyValues.Unknown() },
            diff: [new PropertyDiff("url", DiffKind.Update)]);

        var text = Render(new Plan { Project = "llm-platform", Stack = "homelab", Steps = [step] }, new PreviewOptions { Diff = true });

        Assert.Contains("~ url: \"http://old\" => [known after apply]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_diff_column_lists_added_updated_and_deleted_top_level_keys()
    {
        var urn = Plans.UrnOf("kubernetes:apps/v1:Deployment", "qwen-fast");
        var step = Plans.Step(StepOp.Update, urn, diff:
        [
            new PropertyDiff("labels", DiffKind.Add), new PropertyDiff("annotations", DiffKind.Add),
            new PropertyDiff("spec.replicas", DiffKind.Delete), new PropertyDiff("image", DiffKind.Update),
            new PropertyDiff("nodeSelector", DiffKind.Delete), new PropertyDiff("[\"a.b\"].c", DiffKind.Add),
        ]);

        var text = Render(new Plan { Project = "p", Stack = "s", Steps = [step] }, new PreviewOptions());

        Assert.Contains("[diff: +labels,annotations~spec,image,a.b-nodeSelector]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_violations_and_diagnostics_are_rendered_in_pulumis_sections()
    {
        var text = Render(MixedPlan.Build(), WithViolations);

        Assert.Contains("""
            Diagnostics:
              kubernetes:apps/v1:Deployment (gateway):
                warning: image tag 'v1.80.0' is not pinned by digest

              pulumi:pulumi:Stack (llm-platform-homelab):
                error: kubeconfig not found
                set KUBECONFIG

              kubernetes:core/v1:Secret (old-key):
                error: unable to delete resource "urn:pulumi:homelab::llm-platform::kubernetes:core/v1:Secret::old-key" as it is protected.
            """, text, StringComparison.Ordinal);
        Assert.Contains("""
            Policy Violations:
                [mandatory]  llmctl-gpu v0.1.0  one-active-lane (models: kubernetes:core/v1:PersistentVolumeClaim)
                two lanes are active on gpu0; set Active = false on one of them

                [advisory]  llmctl-supply-chain  pinned-digests
                image ghcr.io/x:latest has no digest

            Resources:
                + 1 to create
                - 1 to delete
                +-1 to replace
                3 changes. 3 unchanged
            """, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_protected_delete_the_planner_already_reported_is_not_reported_twice()
    {
        var plan = MixedPlan.Build();
        plan = plan with { Diagnostics = [new Diagnostic(DiagnosticSeverity.Error, "resource is protected", MixedPlan.OldKey)] };

        var text = Render(plan, new PreviewOptions());

        Assert.Single(text.Split('\n'), l => l.Contains("protected", StringComparison.Ordinal) && l.Contains("error:", StringComparison.Ordinal));
    }

    [Fact]
    public void Colour_marks_symbols_and_plans_by_operation_only_when_asked()
    {
        var plain = Render(MixedPlan.Build(), new PreviewOptions { Diff = true });
        var coloured = Render(MixedPlan.Build(), new PreviewOptions { Diff = true, Color = true });

        Assert.DoesNotContain("\u001b[", plain, StringComparison.Ordinal);
        Assert.Contains("\u001b[32m+ \u001b[0m", coloured, StringComparison.Ordinal);
        Assert.Contains("\u001b[31mdelete\u001b[0m", coloured, StringComparison.Ordinal);
        Assert.Contains("\u001b[35mreplace\u001b[0m", coloured, StringComparison.Ordinal);
        Assert.Contains("\u001b[33m~ storageClassName: \"local-path\" => \"nfs\"\u001b[0m", coloured, StringComparison.Ordinal);
        Assert.Equal(plain, System.Text.RegularExpressions.Regex.Replace(coloured, "\u001b\\[[0-9;]*m", ""));
    }

    [Fact]
    public void A_plan_without_changes_says_so()
    {
        var plan = new Plan { Project = "llm-platform", Stack = "homelab", Steps = [Plans.Step(StepOp.Same, Plans.Root, custom: false)] };

        Assert.Equal("""
                 Type                 Name                  Plan
                 pulumi:pulumi:Stack  llm-platform-homelab

            Resources:
                1 unchanged

            """, Render(plan, new PreviewOptions()));
    }

    [Fact]
    public void Deletes_listed_after_their_children_still_draw_under_their_parent()
    {
        var lane = Plans.UrnOf("llmctl:lanes:Lane", "old-lane");
        var deployment = Plans.UrnOf("kubernetes:apps/v1:Deployment", "old-lane", lane);
        var plan = new Plan
        {
            Project = "llm-platform",
            Stack = "homelab",
            Steps = [Plans.Step(StepOp.Same, Plans.Root, custom: false), Plans.Step(StepOp.Delete, deployment, lane), Plans.Step(StepOp.Delete, lane, Plans.Root, custom: false)],
        };

        Assert.Contains("""
             -   └─ llmctl:lanes:Lane                 old-lane              delete
             -      └─ kubernetes:apps/v1:Deployment  old-lane              delete
            """, Render(plan, new PreviewOptions()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_ten_thousand_step_plan_renders_every_row()
    {
        var steps = new List<Step> { Plans.Step(StepOp.Create, Plans.Root, custom: false) };
        var parent = Plans.Root;
        for (var i = 0; i < 10_000; i++)
        {
            // Every hundredth resource opens a new level, so the tree is both wide and deep.
            var urn = Plans.UrnOf("kubernetes:core/v1:ConfigMap", $"cm-{i}", parent);
            steps.Add(Plans.Step(StepOp.Create, urn, parent, newInputs: new JsonObject { ["i"] = i }));
            if (i % 100 == 0) parent = urn;
        }

        var text = Render(new Plan { Project = "llm-platform", Stack = "homelab", Steps = steps }, new PreviewOptions());

        Assert.Equal(10_001, text.Split('\n').Count(l => l.StartsWith(" + ", StringComparison.Ordinal)));
        Assert.Contains("    + 10001 to create\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_large_preview_reaches_the_writer_whole_in_order_and_with_its_line_endings()
    {
        // Far more text than one of the chunks the renderer hands on, with --diff (diffs are made as rows are written).
        var steps = new List<Step> { Plans.Step(StepOp.Create, Plans.Root, custom: false) };
        for (var i = 0; i < 2_000; i++)
        {
            steps.Add(Plans.Step(StepOp.Create, Plans.UrnOf("kubernetes:core/v1:ConfigMap", $"cm-{i}"), Plans.Root,
                newInputs: new JsonObject { ["data"] = new JsonObject { ["i"] = i, ["text"] = $"é🦙-{i}" } }));
        }
        var plan = new Plan { Project = "llm-platform", Stack = "homelab", Steps = steps };
        var options = new PreviewOptions { Diff = true };

        var unix = Render(plan, options);
        var windows = new StringWriter { NewLine = "\r\n" };
        PreviewRenderer.Render(windows, plan, options);

        Assert.True(unix.Length > 200_000, $"only {unix.Length} characters");
        Assert.Equal(unix.Replace("\n", "\r\n", StringComparison.Ordinal), windows.ToString());
        var rows = unix.Split('\n').Where(l => l.Contains("kubernetes:core/v1:ConfigMap", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => $"cm-{i}"), rows.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]));
        // Strings are quoted as JSON with relaxed escaping, whether or not they need escaping.
        var relaxed = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Assert.Contains($"+ text: {System.Text.Json.JsonSerializer.Serialize("é🦙-1999", relaxed)}\n", unix, StringComparison.Ordinal);
        Assert.Contains("+ i: 1999\n", unix, StringComparison.Ordinal);
        Assert.EndsWith("    + 2001 to create\n", unix, StringComparison.Ordinal);
    }
}
