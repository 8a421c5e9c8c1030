using Llmctl.Engine.Config;

namespace Llmctl.Engine.Tests.Config;

public sealed class ProjectLoaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("llmctl-config-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_project_is_found_from_a_subdirectory_like_Pulumi_does()
    {
        Write("Pulumi.yaml", "name: p\nruntime: dotnet\n");
        Write("Pulumi.dev.yaml", "config:\n  p:a: 1\n");
        Directory.CreateDirectory(Path.Combine(_root, "src", "deep"));

        var stack = ProjectLoader.Load(Path.Combine(_root, "src", "deep"), "dev");

        Assert.Equal(_root, stack.ProjectDirectory);
        Assert.True(stack.StackExists);
        Assert.Empty(stack.Diagnostics);
        Assert.Equal("1", new Engine.Config.Config(stack).Get("a"));
    }

    [Fact]
    public void A_missing_stack_file_is_not_a_diagnostic_but_is_exposed()
    {
        Write("Pulumi.yaml", "name: p\nruntime: dotnet\n");
        var stack = ProjectLoader.Load(_root, "prod");
        Assert.False(stack.StackExists);
        Assert.Empty(stack.Diagnostics);
        Assert.Equal(Path.Combine(_root, "Pulumi.prod.yaml"), stack.StackFilePath);
    }

    [Fact]
    public void No_project_file_anywhere_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => ProjectLoader.Load(_root, "dev"));
        Assert.Contains("no Pulumi.yaml found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stack_values_override_project_values_and_defaults()
    {
        Write("Pulumi.yml", """
            name: p
            runtime: {name: dotnet, options: {binary: bin/p.dll}}
            stackConfigDir: stacks
            config:
              region: eu
              kubernetes:context: default
              replicas: {type: integer, default: 1}
              data:
                value: {active: true}
            """);
        Write("stacks/Pulumi.dev.yaml", "config:\n  p:replicas: 3\n  kubernetes:context: homelab\n");

        var stack = ProjectLoader.Load(_root, "dev");

        Assert.Empty(stack.Diagnostics);
        Assert.Equal("bin/p.dll", stack.Project.RuntimeOptions["binary"]);
        var config = new Engine.Config.Config(stack);
        Assert.Equal(3, config.GetInt32("replicas"));
        Assert.Equal("eu", config.Get("region"));
        Assert.Equal("{\"active\":true}", config.Get("data"));
        Assert.Equal("homelab", new Engine.Config.Config(stack, "kubernetes").Get("context"));
        Assert.Equal(ConfigSource.Stack, stack.Config["p:replicas"].Source);
        Assert.Equal(ConfigSource.Project, stack.Config["p:region"].Source);
    }

    [Fact]
    public void Stack_values_are_checked_against_the_project_declarations()
    {
        Write("Pulumi.yaml", """
            name: p
            runtime: dotnet
            config:
              replicas: {type: integer}
              token: {type: string, secret: true}
              zones: {type: array, items: {type: string}}
            """);
        Write("Pulumi.dev.yaml", "config:\n  p:replicas: many\n  p:token: plain\n");

        var stack = ProjectLoader.Load(_root, "dev");

        Assert.Equal(
        [
            "Pulumi.dev.yaml:2:15: p:replicas: expected integer as declared in Pulumi.yaml, got 'many' — write a whole number such as 8080",
            "Pulumi.dev.yaml:3:12: p:token: this key is declared secret in Pulumi.yaml but is stored in plain text — set it with 'llmctl config set --secret token <value>'",
            "Pulumi.dev.yaml: p:zones: stack 'dev' is missing configuration value 'p:zones' — set it with 'llmctl config set zones <value>'",
        ], stack.Diagnostics.Select(d => d.ToString()));
        var e = Assert.Throws<ConfigException>(stack.ThrowIfErrors);
        Assert.Equal(3, e.Diagnostics.Count);
    }

    [Fact]
    public void Project_and_stack_problems_are_reported_together()
    {
        Write("Pulumi.yaml", "name: p\nruntime: dotnet\nbogus: 1\n");
        Write("Pulumi.dev.yaml", "secretsprovider: default\n");
        var stack = ProjectLoader.Load(_root, "dev");
        Assert.Equal(["Pulumi.yaml", "Pulumi.dev.yaml"], stack.Diagnostics.Select(d => d.File));
    }
}
