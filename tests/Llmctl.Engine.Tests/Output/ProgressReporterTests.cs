using Llmctl.Engine.Output;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Tests.Output;

public class ProgressReporterTests
{
    private static readonly Step Deployment = Plans.Step(StepOp.Create, Plans.UrnOf("kubernetes:apps/v1:Deployment", "qwen-fast"));
    private static readonly Step Update = Plans.Step(StepOp.Update, Plans.UrnOf("kubernetes:core/v1:ConfigMap", "models"));
    private static readonly Step Replace = Plans.Step(StepOp.Replace, MixedPlan.Pvc);
    private static readonly Step Same = Plans.Step(StepOp.Same, Plans.Root, custom: false);

    [Fact]
    public void Plain_progress_writes_a_line_per_event_and_pulumis_summary()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var sink = ProgressReporter.Create(writer, new ProgressOptions(), interactive: false);

        sink.StepCompleted(Same, TimeSpan.Zero);
        sink.StepStarted(Deployment);
        sink.Waiting(Deployment, "waiting for 0/1 Pods to be ready");
        sink.StepCompleted(Deployment, TimeSpan.FromSeconds(1.23));
        sink.StepStarted(Update);
        sink.StepCompleted(Update, TimeSpan.FromSeconds(75));
        sink.StepStarted(Replace);
        sink.StepCompleted(Replace with { Op = StepOp.CreateReplacement }, TimeSpan.FromSeconds(2));
        sink.StepCompleted(Replace with { Op = StepOp.DeleteReplaced }, TimeSpan.FromSeconds(1));
        sink.StepCompleted(Replace, TimeSpan.FromSeconds(3));
        sink.Finished(TimeSpan.FromSeconds(81.6));

        Assert.Equal("""
            + kubernetes:apps/v1:Deployment qwen-fast creating
            + kubernetes:apps/v1:Deployment qwen-fast creating: waiting for 0/1 Pods to be ready
            + kubernetes:apps/v1:Deployment qwen-fast created (1.2s)
            ~ kubernetes:core/v1:ConfigMap models updating
            ~ kubernetes:core/v1:ConfigMap models updated (1m15s)
            +- kubernetes:core/v1:PersistentVolumeClaim models replacing
            ++ kubernetes:core/v1:PersistentVolumeClaim models created replacement (2.0s)
            -- kubernetes:core/v1:PersistentVolumeClaim models deleted original (1.0s)
            +- kubernetes:core/v1:PersistentVolumeClaim models replaced (3.0s)

            Resources:
                + 1 created
                ~ 1 updated
                +-1 replaced
                3 changes. 1 unchanged

            Duration: 1m22s

            """, writer.ToString());
    }

    [Fact]
    public void A_failed_step_prints_its_error_indented_and_is_counted()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var sink = new PlainProgressSink(writer, new ProgressOptions());

        sink.StepStarted(Deployment);
        sink.StepFailed(Deployment, "the server rejected the object\nfield spec.replicas: must be >= 0");
        sink.Finished(TimeSpan.FromSeconds(2));

        Assert.Contains("""
            + kubernetes:apps/v1:Deployment qwen-fast creating failed: the server rejected the object
                field spec.replicas: must be >= 0
            """, writer.ToString(), StringComparison.Ordinal);
        Assert.Contains("    1 failed\n", writer.ToString(), StringComparison.Ordinal);
        Assert.Contains("Duration: 2s", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_live_sink_keeps_waiting_messages_on_a_redrawn_status_line()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var sink = ProgressReporter.Create(writer, new ProgressOptions { Color = true }, interactive: true);

        sink.StepStarted(Deployment);
        sink.Waiting(Deployment, "0/1 Pods ready");
        sink.StepCompleted(Deployment, TimeSpan.FromSeconds(4));
        sink.Finished(TimeSpan.FromSeconds(4));
        var text = writer.ToString();
        var visible = System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;]*[mK]", "");

        Assert.Contains("\r\u001b[2K", text, StringComparison.Ordinal);
        Assert.Contains("1 in progress: qwen-fast (0/1 Pods ready)", visible, StringComparison.Ordinal);
        Assert.Contains("\u001b[32m+\u001b[0m kubernetes:apps/v1:Deployment qwen-fast \u001b[32mcreated\u001b[0m (4.0s)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("creating: 0/1 Pods ready\n", visible, StringComparison.Ordinal);
        Assert.EndsWith("Duration: 4s\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parallel_steps_report_without_interleaving_lines()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var sink = new PlainProgressSink(writer, new ProgressOptions());
        var steps = Enumerable.Range(0, 200).Select(i => Plans.Step(StepOp.Create, Plans.UrnOf("kubernetes:core/v1:ConfigMap", $"cm-{i}"))).ToArray();

        Parallel.ForEach(steps, step =>
        {
            sink.StepStarted(step);
            sink.StepCompleted(step, TimeSpan.FromSeconds(1));
        });
        sink.Finished(TimeSpan.FromSeconds(1));

        var lines = writer.ToString().Split('\n');
        Assert.Equal(400, lines.Count(l => l.StartsWith("+ kubernetes:core/v1:ConfigMap cm-", StringComparison.Ordinal)));
        Assert.Contains("    + 200 created", lines);
    }
}
