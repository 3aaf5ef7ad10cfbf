using System.Security.Cryptography;

namespace TrustedCompute.Txt;

/// <summary>Signs policy lists with a PEM private key and verifies list signatures.</summary>
public static class LcpSigning
{
    /// <summary>
    /// Signs <paramref name="list"/> in place. The revocation counter never moves down: without
    /// <paramref name="revocationCounter"/> a re-signed list gets its old counter + 1, a fresh one 0.
    /// </summary>
    public static void Sign(LcpPolicyList list, string privateKeyPem, LcpHashAlgorithm hashAlgorithm = LcpHashAlgorithm.Sha256,
        bool pss = false, ushort? revocationCounter = null, ReadOnlySpan<char> password = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        ushort? previous = list.Signature?.RevocationCounter;
        ushort counter;
        if (revocationCounter is { } given)
        {
            if (previous is { } old && given < old) throw new ArgumentException($"The revocation counter only moves up: the list has {old}, {given} was asked.");
            counter = given;
        }
        else
        {
            counter = previous switch { null => (ushort)0, ushort.MaxValue => throw new ArgumentException("The revocation counter is at its maximum."), var old => (ushort)(old + 1) };
        }

        using var key = LoadKey(privateKeyPem, password);
        var signature = new LcpListSignature { RevocationCounter = counter, HashAlgorithm = hashAlgorithm };
        switch (key)
        {
            case RSA rsa:
            {
                var p = rsa.ExportParameters(false);
                signature.KeySize = rsa.KeySize;
                signature.Exponent = (uint)p.Exponent!.Aggregate(0L, (acc, b) => (acc << 8) | b);
                signature.PublicKey = Reverse(p.Modulus!);
                signature.Scheme = pss ? LcpSignatureScheme.RsaPss : LcpSignatureScheme.RsaSsa;
                if (list.Version != LcpPolicyList.Version300)
                {
                    if (pss) throw new ArgumentException("RSA-PSS needs a 0x300 list.");
                    if (signature.Exponent != 65537) throw new ArgumentException("0x100/0x200 lists imply the exponent 65537.");
                }
                else if (rsa.KeySize is not (2048 or 3072))
                {
                    throw new ArgumentException($"0x300 lists take RSA-2048 or RSA-3072 keys, not {rsa.KeySize} bits.");
                }
                signature.Value = new byte[rsa.KeySize / 8];
                list.Signature = signature;
                var padding = pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                signature.Value = Reverse(rsa.SignData(list.SignedBytes(), LcpHash.Name(hashAlgorithm), padding));
                break;
            }
            case ECDsa ecdsa:
            {
                if (list.Version == LcpPolicyList.Version100) throw new ArgumentException("0x100 lists take RSA keys only.");
                var p = ecdsa.ExportParameters(false);
                int size = p.Q.X!.Length;
                if (ecdsa.KeySize is not (256 or 384)) throw new ArgumentException($"LCP takes ECDSA P-256 or P-384 keys, not {ecdsa.KeySize} bits.");
                signature.KeySize = ecdsa.KeySize;
                signature.Scheme = LcpSignatureScheme.Ecdsa;
                if (list.Version != LcpPolicyList.Version300) signature.HashAlgorithm = size == 32 ? LcpHashAlgorithm.Sha256 : LcpHashAlgorithm.Sha384;
                signature.PublicKey = [.. Reverse(p.Q.X!), .. Reverse(p.Q.Y!)];
                signature.Value = new byte[2 * size];
                list.Signature = signature;
                var rs = ecdsa.SignData(list.SignedBytes(), LcpHash.Name(signature.HashAlgorithm), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                signature.Value = [.. Reverse(rs[..size]), .. Reverse(rs[size..])];
                break;
            }
        }
    }

    /// <summary>Verifies the list's signature with the key stored in it. Throws for an unsigned list.</summary>
    public static bool Verify(LcpPolicyList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var sig = list.Signature ?? throw new InvalidOperationException("The list is not signed.");
        var data = list.SignedBytes();
        if (sig.KeyAlgorithm == LcpKeyAlgorithm.Rsa)
        {
            using var rsa = RSA.Create();
            try
            {
                rsa.ImportParameters(new RSAParameters { Modulus = Reverse(sig.PublicKey), Exponent = ExponentBytes(sig.Exponent) });
            }
            catch (CryptographicException)
            {
                return false;
            }
            var value = Reverse(sig.Value);
            var padding = sig.Scheme == LcpSignatureScheme.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            LcpHashAlgorithm[] candidates = sig.HashAlgorithm == LcpHashAlgorithm.Null
                ? [LcpHashAlgorithm.Sha1, LcpHashAlgorithm.Sha256, LcpHashAlgorithm.Sha384, LcpHashAlgorithm.Sha512]
                : [sig.HashAlgorithm];
            return candidates.Any(h => rsa.VerifyData(data, value, LcpHash.Name(h), padding));
        }
        if (sig.Scheme != LcpSignatureScheme.Ecdsa) throw new NotSupportedException($"Verifying {sig.Scheme} signatures is not supported.");
        int size = sig.PublicKey.Length / 2;
        var curve = size == 32 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384;
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportParameters(new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = Reverse(sig.PublicKey[..size]), Y = Reverse(sig.PublicKey[size..]) },
            });
        }
        catch (CryptographicException)
        {
            return false;
        }
        byte[] rs = [.. Reverse(sig.Value[..size]), .. Reverse(sig.Value[size..])];
        return ecdsa.VerifyData(data, rs, LcpHash.Name(sig.HashAlgorithm), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static AsymmetricAlgorithm LoadKey(string pem, ReadOnlySpan<char> password)
    {
        if (!pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal)) throw new ArgumentException("The key file holds no PEM private key.");
        bool encrypted = pem.Contains("ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        var rsa = RSA.Create();
        try
        {
            if (encrypted) rsa.ImportFromEncryptedPem(pem, password);
            else rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }
        var ecdsa = ECDsa.Create();
        try
        {
            if (encrypted) ecdsa.ImportFromEncryptedPem(pem, password);
            else ecdsa.ImportFromPem(pem);
            return ecdsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw new ArgumentException(encrypted
                ? "The key file could not be decrypted or holds no RSA or EC private key."
                : "The key file holds no usable RSA or EC private key.");
        }
    }

    private static byte[] ExponentBytes(uint exponent)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, exponent);
        return bytes.SkipWhile(b => b == 0).ToArray();
    }

    internal static byte[] Reverse(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        Array.Reverse(copy);
        return copy;
    }
}
