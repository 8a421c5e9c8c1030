using Llmctl.Engine.Config;

namespace Llmctl.Engine.Tests.Config;

public sealed class StackFileEditorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmctl-edit-").FullName;
    private readonly string _path;

    public StackFileEditorTests() => _path = Path.Combine(_dir, "Pulumi.dev.yaml");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Text => File.ReadAllText(_path);

    private const string Original = """
        # homelab stack — keep this comment
        secretsprovider: passphrase
        config:
          # the cluster
          proj:name: old   # trailing comment
          kubernetes:context: homelab
          proj:data:
            nums: [10, 20]
        # footer comment
        """;

    // The editor quotes with Utf8JsonWriter (no serializer metadata, for the native build): byte for byte what
    // JsonSerializer wrote with the relaxed encoder before, for text that must be quoted.
    [Theory]
    [InlineData("two words: here")]
    [InlineData("say \"hi\" \\ back")]
    [InlineData("tab\tnew\nline\u0001bell")]
    [InlineData("<b>&'é中文 🙂</b>")]
    [InlineData("- leading dash")]
    [InlineData("")]
    public void A_quoted_scalar_is_exactly_the_json_string_the_serializer_writes(string text)
    {
        var expected = System.Text.Json.JsonSerializer.Serialize(text,
            new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Equal(expected, StackFileEditor.Scalar(text));
    }

    [Fact]
    public void Replacing_a_scalar_keeps_every_other_line_as_written()
    {
        File.WriteAllText(_path, Original + "\n");
        StackFileEditor.Set(_path, "proj", "name", "new", secure: false, path: false);
        Assert.Equal(Original.Replace("  proj:name: old   # trailing comment", "  proj:name: new   # trailing comment", StringComparison.Ordinal) + "\n", Text);
    }

    [Fact]
    public void A_new_key_is_appended_at_the_end_of_config_namespaced_with_the_project()
    {
        File.WriteAllText(_path, Original + "\n");
        StackFileEditor.Set(_path, "proj", "port", "8080", secure: false, path: false);
        Assert.Equal(Original.Replace("    nums: [10, 20]\n", "    nums: [10, 20]\n  proj:port: \"8080\"\n", StringComparison.Ordinal) + "\n", Text);
        Assert.Equal("8080", StackFileEditor.Get(_path, "proj", "port", path: false));
    }

    [Fact]
    public void Path_edits_create_structure_and_store_booleans_and_integers_as_such()
    {
        File.WriteAllText(_path, "config:\n  proj:name: a\n");
        StackFileEditor.Set(_path, "proj", "lanes.items[0].ctxSize", "49152", secure: false, path: true);
        StackFileEditor.Set(_path, "proj", "lanes.items[0].active", "true", secure: false, path: true);
        StackFileEditor.Set(_path, "proj", "lanes.items[0].name", "007", secure: false, path: true);
        StackFileEditor.Set(_path, "proj", "lanes.items[1].name", "b", secure: false, path: true);

        Assert.Equal("""
            config:
              proj:name: a
              proj:lanes:
                items:
                  - ctxSize: 49152
                    active: true
                    name: "007"
                  - name: b

            """, Text);
        Assert.Equal("{\"items\":[{\"ctxSize\":49152,\"active\":true,\"name\":\"007\"},{\"name\":\"b\"}]}",
            StackFileEditor.Get(_path, "proj", "lanes", path: false));
        Assert.Equal("49152", StackFileEditor.Get(_path, "proj", "lanes.items[0].ctxSize", path: true));
    }

    [Fact]
    public void A_path_past_the_end_of_a_list_is_refused()
    {
        File.WriteAllText(_path, "config:\n  proj:a:\n    - 1\n");
        var e = Assert.Throws<ConfigException>(() => StackFileEditor.Set(_path, "proj", "a[3]", "x", secure: false, path: true));
        Assert.Contains("index 3 is past the end of a list of 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_keys_and_path_values_leaves_the_rest_untouched()
    {
        File.WriteAllText(_path, Original + "\n");
        Assert.True(StackFileEditor.Remove(_path, "proj", "kubernetes:context", path: false));
        Assert.True(StackFileEditor.Remove(_path, "proj", "data.nums[0]", path: true));
        Assert.False(StackFileEditor.Remove(_path, "proj", "absent", path: false));

        Assert.Equal("""
            # homelab stack — keep this comment
            secretsprovider: passphrase
            config:
              # the cluster
              proj:name: old   # trailing comment
              proj:data:
                nums:
                  - 20
            # footer comment

            """, Text);
    }

    [Fact]
    public void Secrets_are_written_as_secure_values_and_listed_as_secret_unless_revealed()
    {
        var crypter = new ConfigTests.FakeCrypter();
        File.WriteAllText(_path, ConfigTests.Salt + "config:\n  proj:name: a\n");
        StackFileEditor.Set(_path, "proj", "token", crypter.Encrypt("hunter2"), secure: true, path: false);
        StackFileEditor.Set(_path, "proj", "db.password", crypter.Encrypt("pw"), secure: true, path: true);

        Assert.Contains($"  proj:token:\n    secure: {crypter.Encrypt("hunter2")}\n", Text, StringComparison.Ordinal);
        Assert.Equal(
        [
            new ConfigListing("proj:name", "a", false),
            new ConfigListing("proj:token", "[secret]", true),
            new ConfigListing("proj:db", "{\"password\":\"[secret]\"}", true),
        ], StackFileEditor.List(_path, "proj"));
        Assert.Equal("hunter2", StackFileEditor.List(_path, "proj", crypter.Decrypt)[1].Value);
        Assert.Equal("{\"password\":\"pw\"}", StackFileEditor.Get(_path, "proj", "db", path: false, crypter.Decrypt));

        var stack = ProjectLoader.LoadFromText("name: proj\nruntime: dotnet\n", Text, "dev", _ => crypter);
        Assert.Empty(stack.Diagnostics);
        Assert.Equal("hunter2", new Engine.Config.Config(stack).Require("token"));
    }

    [Fact]
    public void Config_is_added_to_a_file_without_one_and_a_flow_block_is_rewritten_in_block_style()
    {
        File.WriteAllText(_path, "secretsprovider: passphrase\n");
        StackFileEditor.Set(_path, "proj", "a", "1", secure: false, path: false);
        Assert.Equal("secretsprovider: passphrase\nconfig:\n  proj:a: \"1\"\n", Text);

        File.WriteAllText(_path, "config: {proj:a: x}\n");
        StackFileEditor.Set(_path, "proj", "b", "y: z", secure: false, path: false);
        Assert.Equal("config:\n  proj:a: x\n  proj:b: \"y: z\"\n", Text);
    }

    [Fact]
    public void A_bare_key_in_the_file_is_found_and_kept_bare()
    {
        File.WriteAllText(_path, "config:\n  name: a\n");
        StackFileEditor.Set(_path, "proj", "proj:name", "b", secure: false, path: false);
        Assert.Equal("config:\n  name: b\n", Text);
    }

    [Fact]
    public void A_new_stack_file_names_the_passphrase_provider_and_its_salt()
    {
        StackFileEditor.Create(_path, "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==");
        Assert.Equal("secretsprovider: passphrase\nencryptionsalt: v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==\n", Text);
        Assert.Throws<IOException>(() => StackFileEditor.Create(_path, null));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void A_file_with_broken_YAML_is_not_edited()
    {
        File.WriteAllText(_path, "config:\n  a: \"open\n");
        var e = Assert.Throws<ConfigException>(() => StackFileEditor.Set(_path, "proj", "a", "b", secure: false, path: false));
        Assert.Contains("YAML syntax error", e.Message, StringComparison.Ordinal);
        Assert.Equal("config:\n  a: \"open\n", Text);
    }
}
