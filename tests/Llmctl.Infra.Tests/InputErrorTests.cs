using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Tests;

public class InputErrorTests
{
    [Fact]
    public async Task Bad_config_is_reported_with_file_line_and_column_and_exit_2_without_a_stack_trace()
    {
        using var cli = new CliHarness();
        cli.EditStackFile("memory: 58Gi", "memory: 58GB");
        cli.EditStackFile("ctxSize: 49152", "ctxSize: lots");
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Matches(@"Pulumi\.homelab\.yaml:\d+:\d+: llm-platform:gpuNodes\[0\]\.memory: .*24Gi|58Gi", cli.Err);
        Assert.Matches(@"Pulumi\.homelab\.yaml:\d+:\d+: llm-platform:lanes\.items\[0\]\.ctxSize", cli.Err);
        Assert.DoesNotContain("   at ", cli.Err);
        Assert.Empty(cli.Provider.Calls);
    }

    [Fact]
    public async Task Unknown_stack_exits_6_and_usage_errors_exit_2()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.StackNotFound, await cli.RunAsync("preview", "-s", "nope"));
        Assert.Contains("llmctl stack init nope", cli.Err);
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "--no-such-flag"));
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "--color", "sometimes"));
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync());
    }

    [Fact]
    public async Task A_project_folder_without_Pulumi_yaml_is_a_usage_error()
    {
        using var cli = new CliHarness();
        File.Delete(Path.Combine(cli.Directory, "Pulumi.yaml"));
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains("no Pulumi.yaml found", cli.Err);
    }
}
