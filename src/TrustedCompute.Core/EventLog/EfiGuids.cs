namespace TrustedCompute.EventLog;

/// <summary>Names of the GUIDs admins meet in event logs: variable namespaces, signature types, tables, partition types.</summary>
public static class EfiGuids
{
    public static readonly Guid GlobalVariable = new("8be4df61-93ca-11d2-aa0d-00e098032b8c");
    public static readonly Guid ImageSecurityDatabase = new("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
    public static readonly Guid ShimLock = new("605dab50-e046-4300-abb6-3dd810dd8b23");
    public static readonly Guid CertX509 = new("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
    public static readonly Guid CertSha256 = new("c1c41626-504c-4092-aca9-41f936934328");

    private static readonly Dictionary<Guid, string> Names = new()
    {
        [GlobalVariable] = "EFI_GLOBAL_VARIABLE",
        [ImageSecurityDatabase] = "EFI_IMAGE_SECURITY_DATABASE",
        [ShimLock] = "SHIM_LOCK",
        [CertX509] = "EFI_CERT_X509",
        [CertSha256] = "EFI_CERT_SHA256",
        [new("826ca512-cf10-4ac9-b187-be01496631bd")] = "EFI_CERT_SHA1",
        [new("3c5766e8-269c-4e34-aa14-ed776e85b3b6")] = "EFI_CERT_RSA2048",
        [new("3bd2a492-96c0-4079-b420-fcf98ef103ed")] = "EFI_CERT_X509_SHA256",
        [new("7076876e-80c2-4ee6-aad2-28b349a6865b")] = "EFI_CERT_X509_SHA384",
        [new("446dbf63-2502-4cda-bcfa-2465d2b0fe9d")] = "EFI_CERT_X509_SHA512",
        [new("8868e871-e4f1-11d3-bc22-0080c73c8881")] = "ACPI_20_TABLE",
        [new("eb9d2d30-2d88-11d3-9a16-0090273fc14d")] = "ACPI_TABLE",
        [new("eb9d2d31-2d88-11d3-9a16-0090273fc14d")] = "SMBIOS_TABLE",
        [new("f2fd1544-9794-4a2c-992e-e5bbcf20e394")] = "SMBIOS3_TABLE",
        [new("c12a7328-f81f-11d2-ba4b-00a0c93ec93b")] = "EFI System",
        [new("21686148-6449-6e6f-744e-656564454649")] = "BIOS boot",
        [new("0fc63daf-8483-4772-8e79-3d69d8477de4")] = "Linux filesystem",
        [new("4f68bce3-e8cd-4db1-96e7-fbcaf984b709")] = "Linux root (x86-64)",
        [new("0657fd6d-a4ab-43c4-84e5-0933c84b4f4f")] = "Linux swap",
        [new("e6d6d379-f507-44c2-a23c-238f2a3df928")] = "Linux LVM",
        [new("ca7d7ccb-63ed-4c53-861c-1742536059cc")] = "Linux LUKS",
        [new("bc13c2ff-59e6-4262-a352-b275fd6f7172")] = "Linux extended boot",
        [new("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7")] = "Microsoft basic data",
        [new("e3c9e316-0b5c-4db8-817d-f92df00215ae")] = "Microsoft reserved",
        [new("de94bba4-06d1-4d40-a16a-bfd50179d6ac")] = "Windows recovery",
    };

    public static string Name(Guid guid) => Names.TryGetValue(guid, out var name) ? name : guid.ToString();
}
