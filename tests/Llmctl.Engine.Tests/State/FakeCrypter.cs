using System.Text;
using Llmctl.Engine.Config;

namespace Llmctl.Engine.Tests.State;

/// <summary>A reversible stand-in for the passphrase crypter: <c>v1:fake:&lt;base64 of the bytes xor 0x5a&gt;</c>.</summary>
internal sealed class FakeCrypter : ISecretCrypter
{
    public int Encrypted { get; private set; }

    public string Encrypt(string plaintext)
    {
        Encrypted++;
        return "v1:fake:" + Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext).Select(b => (byte)(b ^ 0x5a)).ToArray());
    }

    public string Decrypt(string ciphertext)
    {
        if (!ciphertext.StartsWith("v1:fake:", StringComparison.Ordinal)) throw new SecretDecryptionException("not a fake ciphertext");
        return Encoding.UTF8.GetString(Convert.FromBase64String(ciphertext[8..]).Select(b => (byte)(b ^ 0x5a)).ToArray());
    }
}
