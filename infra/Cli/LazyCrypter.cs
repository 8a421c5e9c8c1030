using Llmctl.Engine.Config;

namespace Llmctl.Infra.Cli;

/// <summary>
/// Defers making the stack's crypter (a million PBKDF2 rounds) until a secret is actually encrypted or decrypted,
/// so a stack without secrets never asks for a passphrase.
/// </summary>
internal sealed class LazyCrypter(Func<ISecretCrypter> factory) : ISecretCrypter
{
    private readonly Lazy<ISecretCrypter> _inner = new(factory);

    public string Encrypt(string plaintext) => _inner.Value.Encrypt(plaintext);

    public string Decrypt(string ciphertext) => _inner.Value.Decrypt(ciphertext);
}
