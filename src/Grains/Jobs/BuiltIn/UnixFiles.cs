using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>What a directory entry is, read without opening or following it.</summary>
internal enum FileKind
{
    Regular,
    Directory,
    Link,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    Unknown,
}

/// <summary>
/// The two things .NET cannot do on Linux without opening a file: tell a FIFO, socket or device from a regular file, and open a
/// file without blocking. Opening a FIFO for reading blocks until a writer comes, in open(2) itself, where no cancellation
/// reaches; a device may act on being opened. So entries are classified with <c>statx</c> (not following links) and only
/// regular files are opened, with <c>O_NONBLOCK | O_NOFOLLOW</c> and checked again on the open descriptor, so a file swapped for
/// a FIFO or a link in between is refused instead of blocking or followed.
/// </summary>
/// <remarks>
/// <c>statx</c> (Linux 4.11, glibc 2.28) is used rather than <c>lstat</c> because its layout is the same on every architecture.
/// Elsewhere (Windows has no FIFOs in a directory tree), every entry that is neither a link nor a directory counts as regular.
/// </remarks>
internal static class UnixFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    // O_NOFOLLOW is one of the few flags whose value differs between architectures.
    private static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;
    private const int ELoop = 40;
    private const int ENoEnt = 2;
    private const int ENotDir = 20;

    /// <summary>The kind of <paramref name="path"/> itself (a link is a link, never its target).</summary>
    public static FileKind KindOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            var info = new FileInfo(path);
            return info.LinkTarget is not null ? FileKind.Link
                : info.Attributes.HasFlag(FileAttributes.Directory) ? FileKind.Directory
                : FileKind.Regular;
        }
        if (StatxPath(AtFdCwd, path, AtSymlinkNoFollow, StatxType, out var buffer) != 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), path);
        }
        return KindOf(buffer.Mode);
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading if it is (still) a regular file; otherwise returns null with what it is now.
    /// </summary>
    /// <exception cref="FileNotFoundException">It vanished.</exception>
    public static FileStream? OpenRegular(string path, out FileKind kind)
    {
        kind = FileKind.Regular;
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        }
        var descriptor = Open(path, OCloExec | ONonBlock | ONoFollow);
        if (descriptor < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error == ELoop)
            {
                kind = FileKind.Link;
                return null;
            }
            throw Error(error, path);
        }
        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        if (StatxPath(descriptor, "", AtEmptyPath, StatxType, out var buffer) != 0 || (kind = KindOf(buffer.Mode)) != FileKind.Regular)
        {
            if (kind == FileKind.Regular)
            {
                kind = FileKind.Unknown;
            }
            handle.Dispose();
            return null;
        }
        return new FileStream(handle, FileAccess.Read, bufferSize: 1);
    }

    private static FileKind KindOf(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0xA000 => FileKind.Link,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        _ => FileKind.Unknown,
    };

    private static IOException Error(int errno, string path) => errno is ENoEnt or ENotDir
        ? new FileNotFoundException($"{path} vanished", path)
        : new IOException($"{path}: {new Win32Exception(errno).Message}");

    /// <summary>The head of <c>struct statx</c> (256 bytes in all); only the mode is read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;
    }

    private static int StatxPath(int directoryDescriptor, string path, int flags, uint mask, out StatxBuffer buffer) =>
        Statx(directoryDescriptor, NulTerminated(path), flags, mask, out buffer);

    private static int Open(string path, int flags) => OpenNative(NulTerminated(path), flags);

    /// <summary>The path as the kernel takes it: UTF-8 bytes ending in NUL (passed as bytes, so no string marshalling is involved).</summary>
    private static byte[] NulTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directoryDescriptor, byte[] path, int flags, uint mask, out StatxBuffer buffer);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenNative(byte[] path, int flags);
}
