using Llmctl.Engine.Config;
using Llmctl.Engine.Model;

namespace Llmctl.Engine.Tests.Config;

public partial class ConfigTests
{
    // Writes values in the passphrase provider's shape (12-byte nonce, ciphertext + 16-byte tag) without the cost
    // of key derivation: the "ciphertext" is the plaintext followed by 16 zero bytes.
    internal sealed class FakeCrypter : ISecretCrypter
    {
        public int Made { get; set; }

        public string Encrypt(string plaintext) =>
            "v1:AAAAAAAAAAAAAAAA:" + Convert.ToBase64String([.. System.Text.Encoding.UTF8.GetBytes(plaintext), .. new byte[16]]);

        public string Decrypt(string ciphertext)
        {
            var bytes = Convert.FromBase64String(ciphertext.Split(':')[2]);
            return System.Text.Encoding.UTF8.GetString(bytes, 0, bytes.Length - 16);
        }
    }

    private const string Project = "name: proj\nruntime: dotnet\n";
    internal const string Salt = "encryptionsalt: v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==\n";
    private static readonly FakeCrypter Fake = new();

    private static (LoadedStack Stack, FakeCrypter Crypter) Load(string stackYaml)
    {
        stackYaml = stackYaml.Replace("{pw}", Fake.Encrypt("pw"), StringComparison.Ordinal)
            .Replace("{hunter2}", Fake.Encrypt("hunter2"), StringComparison.Ordinal);
        if (stackYaml.Contains("secure", StringComparison.Ordinal)) stackYaml = Salt + stackYaml;
        var crypter = new FakeCrypter();
        var stack = ProjectLoader.LoadFromText(Project, stackYaml, "dev", _ =>
        {
            crypter.Made++;
            return crypter;
        });
        Assert.Empty(stack.Diagnostics);
        return (stack, crypter);
    }

    [Fact]
    public void Missing_required_values_use_Pulumis_message()
    {
        var config = new Engine.Config.Config(Load("config: {}").Stack);
        Assert.Null(config.Get("name"));
        var e = Assert.Throws<MissingRequiredConfigException>(() => config.Require("name"));
        Assert.Equal("Missing Required configuration variable 'proj:name'\n\tplease set a value using the command `llmctl config set proj:name <value>`", e.Message);
        Assert.Throws<MissingRequiredConfigException>(() => config.RequireInt32("n"));
        Assert.Throws<MissingRequiredConfigException>(() => config.RequireObject<int[]>("n"));
    }

    [Fact]
    public void Values_of_the_wrong_type_use_Pulumis_message_and_the_location()
    {
        var config = new Engine.Config.Config(Load("config:\n  proj:port: big\n  proj:on: yes\n").Stack);
        var e = Assert.Throws<ConfigTypeException>(() => config.GetInt32("port"));
        Assert.Equal("Configuration 'proj:port' value 'big' is not a valid Int32", e.Message);
        Assert.Equal((2, 14), (e.Diagnostics[0].Line, e.Diagnostics[0].Column));
        Assert.Equal("Configuration 'proj:on' value 'yes' is not a valid Boolean",
            Assert.Throws<ConfigTypeException>(() => config.GetBoolean("on")).Message);
        Assert.Throws<ConfigTypeException>(() => config.RequireDouble("port"));
    }

    [Fact]
    public void Typed_getters_read_scalars_and_objects()
    {
        var config = new Engine.Config.Config(Load("""
            config:
              proj:port: "8080"
              proj:ratio: 0.5
              proj:on: true
              proj:nodes:
                - {name: a, gpus: 1}
                - {name: b, gpus: 2}
            """).Stack);
        Assert.Equal(8080, config.RequireInt32("port"));
        Assert.Equal(0.5, config.GetDouble("ratio"));
        Assert.True(config.RequireBoolean("on"));
        var nodes = config.RequireObject<Node[]>("nodes");
        Assert.Equal([new Node("a", 1), new Node("b", 2)], nodes);
        Assert.Equal("[{\"name\":\"a\",\"gpus\":1},{\"name\":\"b\",\"gpus\":2}]", config.Get("nodes"));
    }

    private sealed record Node(string Name, int Gpus);

    [Fact]
    public void Secrets_are_decrypted_only_when_read_and_come_back_as_secret_outputs()
    {
        var (stack, crypter) = Load("config:\n  proj:plain: x\n  proj:token:\n    secure: {hunter2}\n");
        var config = new Engine.Config.Config(stack);

        Assert.Equal("x", config.Get("plain"));
        Assert.Equal(0, crypter.Made);

        var secret = config.RequireSecret("token").Resolve(null!);
        Assert.True(secret.IsSecret);
        Assert.Equal("hunter2", secret.Value);
        Assert.Equal(1, crypter.Made);
        Assert.Null(config.GetSecret("absent"));
        Assert.True(config.RequireSecret("plain").Resolve(null!).IsSecret);
    }

    [Fact]
    public void Structured_values_with_nested_secrets_decrypt_into_objects()
    {
        var (stack, _) = Load("config:\n  proj:db:\n    host: h\n    password:\n      secure: {pw}\n");
        var db = new Engine.Config.Config(stack).RequireSecretObject<Db>("db").Resolve(null!);
        Assert.True(db.IsSecret);
        Assert.Equal(new Db("h", "pw"), db.Value);
    }

    private sealed record Db(string Host, string Password);

    [Fact]
    public void Objects_read_through_a_source_generated_contract_need_no_reflection()
    {
        var (stack, _) = Load("config:\n  proj:db:\n    host: h\n    password:\n      secure: {pw}\n  proj:port: [1]\n");
        var config = new Engine.Config.Config(stack);

        var db = config.RequireSecretObject("db", SourceGeneratedJson.Default.Db).Resolve(null!);
        Assert.Equal((new Db("h", "pw"), true), (db.Value, db.IsSecret));
        Assert.Null(config.GetObject("absent", SourceGeneratedJson.Default.Db));
        Assert.Throws<MissingRequiredConfigException>(() => config.RequireObject("absent", SourceGeneratedJson.Default.Db));
        var wrong = Assert.Throws<ConfigTypeException>(() => config.GetObject("port", SourceGeneratedJson.Default.Db));
        Assert.Equal("Configuration 'proj:port' value '[1]' is not a valid Db", wrong.Message);
    }

    [System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
    [System.Text.Json.Serialization.JsonSerializable(typeof(Db))]
    private sealed partial class SourceGeneratedJson : System.Text.Json.Serialization.JsonSerializerContext;

    [Fact]
    public void A_trailing_config_suffix_on_the_bag_name_is_ignored()
    {
        var stack = Load("config:\n  aws:region: eu\n").Stack;
        Assert.Equal("eu", new Engine.Config.Config(stack, "aws:config").Get("region"));
    }
}
