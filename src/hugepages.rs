//! A global allocator that asks for transparent huge pages for large blocks.
//!
//! jieba's dictionary is a hash table of some 20 MB, probed at random for nearly every
//! character segmented. On 4 KiB pages most of those probes also miss the TLB; on 2 MiB
//! pages they do not, and segmentation took about a tenth less time in paired runs. So
//! every block of 2 MiB or more is advised `MADV_HUGEPAGE`. Smaller blocks, which cannot hold an aligned huge page,
//! are left alone. The advice changes no contents, and a kernel with huge pages switched
//! off (`never`) ignores it.
//!
//! The `collectguard` binary installs it; a program that embeds the library may too:
//!
//! ```
//! #[global_allocator]
//! static ALLOC: collectguard::hugepages::HugePageAlloc = collectguard::hugepages::HugePageAlloc;
//! ```

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator, with large blocks advised to use transparent huge pages.
pub struct HugePageAlloc;

/// The size of a huge page on x86-64 and most aarch64 kernels; the smallest block advised.
const HUGE_PAGE: usize = 2 << 20;

// SAFETY: every call is forwarded to `System` unchanged; `advise` only gives the kernel a
// hint about pages inside the block just returned.
unsafe impl GlobalAlloc for HugePageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        advise(p, new_size);
        p
    }
}

/// Advises the whole huge pages inside `[p, p + size)`, if there are any.
#[inline]
fn advise(p: *mut u8, size: usize) {
    if size < HUGE_PAGE || p.is_null() {
        return;
    }
    let start = (p as usize).next_multiple_of(HUGE_PAGE);
    let end = (p as usize + size) / HUGE_PAGE * HUGE_PAGE;
    if end > start {
        hint(start, end - start);
    }
}

#[cfg(target_os = "linux")]
fn hint(start: usize, len: usize) {
    // SAFETY: the range is page-aligned and lies inside a block this process owns;
    // MADV_HUGEPAGE leaves its contents as they are. A refusal is of no consequence.
    unsafe {
        libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn hint(_start: usize, _len: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_every_size_keep_their_contents() {
        let a = HugePageAlloc;
        for size in [1, 4096, HUGE_PAGE - 1, HUGE_PAGE, 3 * HUGE_PAGE + 17] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: the layout has a non-zero size; the block is written and read within
            // it and freed with the layout it was made with.
            unsafe {
                let p = a.alloc_zeroed(layout);
                assert!(!p.is_null());
                assert!(std::slice::from_raw_parts(p, size).iter().all(|&b| b == 0));
                p.write_bytes(7, size);
                let q = a.realloc(p, layout, size * 2);
                assert!(!q.is_null());
                assert!(std::slice::from_raw_parts(q, size).iter().all(|&b| b == 7));
                a.dealloc(q, Layout::from_size_align(size * 2, 8).unwrap());
            }
        }
    }
}
