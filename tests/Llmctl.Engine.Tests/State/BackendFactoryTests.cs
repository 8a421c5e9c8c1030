using Llmctl.Engine.State;

namespace Llmctl.Engine.Tests.State;

public class BackendFactoryTests
{
    private static readonly string Home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    [Fact]
    public void No_url_means_the_llmctl_folder_in_the_home_directory()
    {
        var backend = Assert.IsType<FileBackend>(BackendFactory.Create(null, "/work/project"));

        Assert.Equal(Path.Combine(Home, ".llmctl"), backend.Root);
    }

    [Theory]
    [InlineData("file://~", "")]
    [InlineData("file://~/state", "state")]
    public void A_tilde_file_url_is_under_the_home_directory(string url, string below)
    {
        var backend = Assert.IsType<FileBackend>(BackendFactory.Create(url, "/work/project"));

        Assert.Equal(Path.GetFullPath(Path.Combine(Home, below)), backend.Root);
    }

    [Fact]
    public void An_absolute_file_url_is_used_as_it_is_and_a_relative_one_is_under_the_project()
    {
        Assert.Equal("/var/lib/llmctl", Assert.IsType<FileBackend>(BackendFactory.Create("file:///var/lib/llmctl", "/work/project")).Root);
        Assert.Equal("/work/project/.state", Assert.IsType<FileBackend>(BackendFactory.Create("file://.state", "/work/project")).Root);
        Assert.Equal("file:///var/lib/llmctl", BackendFactory.Create("file:///var/lib/llmctl", "/p").Url);
    }

    [Theory]
    [InlineData("kubernetes://llm-state", "Kubernetes Secret backend is not registered")]
    [InlineData("s3://bucket/state", "'s3://bucket/state' is not supported")]
    [InlineData("https://api.pulumi.com", "is not supported")]
    [InlineData("file://", "names no folder")]
    public void Other_backends_are_refused_with_a_clear_message(string url, string message)
    {
        var ex = Assert.Throws<NotSupportedException>(() => BackendFactory.Create(url, "/work/project"));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains("file://", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registered_scheme_builds_its_backend_from_the_url_project_folder_and_stack_config()
    {
        BackendRequest? seen = null;
        var built = new FileBackend("/tmp/registered");
        BackendFactory.Register("test-registered", r =>
        {
            seen = r;
            return built;
        });
        var config = new Dictionary<string, string> { ["kubernetes:context"] = "ci" };

        var backend = BackendFactory.Create("Test-Registered://llmctl-state", "/work/project", config);

        Assert.Same(built, backend);
        Assert.NotNull(seen);
        Assert.Equal(("test-registered", "llmctl-state", "/work/project"), (seen.Scheme, seen.Location, seen.ProjectDirectory));
        Assert.Equal("ci", seen.StackConfig["kubernetes:context"]);
        Assert.True(BackendFactory.IsRegistered("test-registered"));
    }

    [Fact]
    public void An_empty_location_reaches_the_factory_as_empty_and_the_file_scheme_cannot_be_replaced()
    {
        BackendRequest? seen = null;
        BackendFactory.Register("test-empty", r =>
        {
            seen = r;
            return new FileBackend("/tmp/x");
        });

        BackendFactory.Create("test-empty://", "/p");

        Assert.Equal("", seen!.Location);
        Assert.Throws<ArgumentException>(() => BackendFactory.Register("file", _ => new FileBackend()));
        Assert.Throws<ArgumentException>(() => BackendFactory.Register("kubernetes://", _ => new FileBackend()));
    }
}
