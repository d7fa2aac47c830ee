;; cxrkit's WASM SIMD kernels for training on the tfjs `wasm` backend. They run on tfjs's own heap
;; (the memory is imported), on channels-last tensors viewed as [rows, c]: per-channel statistics and
;; per-channel affine maps for batch normalisation, a fused Adam update, and max/average pooling gradients. All pointers are byte
;; addresses, all counts are elements. Channels are processed 4 at a time (f32x4) with a scalar tail,
;; so any c works. Compiled by scripts/build-wasm-simd.mjs (wabt) into kernels.wasm.ts; the line
;; `(memory 1 65536 shared)` is rewritten to `(memory 1)` for tfjs's non-threaded build.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; tot1[j] += acc1[j], tot2[j] += acc2[j] (f32 block sums into f64 totals), j < c
  (func $flush (param $acc1 i32) (param $acc2 i32) (param $tot1 i32) (param $tot2 i32) (param $c i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $acc1) (i32.shl (local.get $c) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $acc1) (local.get $end)))
        (f64.store (local.get $tot1) (f64.add (f64.load (local.get $tot1)) (f64.promote_f32 (f32.load (local.get $acc1)))))
        (f64.store (local.get $tot2) (f64.add (f64.load (local.get $tot2)) (f64.promote_f32 (f32.load (local.get $acc2)))))
        (local.set $acc1 (i32.add (local.get $acc1) (i32.const 4)))
        (local.set $acc2 (i32.add (local.get $acc2) (i32.const 4)))
        (local.set $tot1 (i32.add (local.get $tot1) (i32.const 8)))
        (local.set $tot2 (i32.add (local.get $tot2) (i32.const 8)))
        (br $l))))

  ;; Batch statistics. For x [rows, c] and a per-channel shift k [c]:
  ;;   tot1[j] += Σ_r (x[r, j] − k[j]),  tot2[j] += Σ_r (x[r, j] − k[j])²
  ;; accumulated in f32 over blocks of 64 rows (scratch acc1, acc2 [c] f32), then in f64 (tot1, tot2 [c]).
  (func (export "moments") (param $x i32) (param $rows i32) (param $c i32) (param $k i32)
        (param $acc1 i32) (param $acc2 i32) (param $tot1 i32) (param $tot2 i32)
    (local $r i32) (local $blockEnd i32) (local $p i32) (local $rowEnd i32) (local $vecEnd i32)
    (local $pk i32) (local $p1 i32) (local $p2 i32) (local $v v128) (local $s f32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $p (local.get $x))
    (block $allDone
      (loop $blocks
        (br_if $allDone (i32.ge_u (local.get $r) (local.get $rows)))
        (memory.fill (local.get $acc1) (i32.const 0) (local.get $rowBytes))
        (memory.fill (local.get $acc2) (i32.const 0) (local.get $rowBytes))
        (local.set $blockEnd (i32.add (local.get $r) (i32.const 64)))
        (if (i32.gt_u (local.get $blockEnd) (local.get $rows)) (then (local.set $blockEnd (local.get $rows))))
        (block $blockDone
          (loop $rowsLoop
            (br_if $blockDone (i32.ge_u (local.get $r) (local.get $blockEnd)))
            (local.set $rowEnd (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $vecEnd (i32.add (local.get $p) (i32.and (local.get $rowBytes) (i32.const -16))))
            (local.set $pk (local.get $k))
            (local.set $p1 (local.get $acc1))
            (local.set $p2 (local.get $acc2))
            (block $vecDone
              (loop $vec
                (br_if $vecDone (i32.ge_u (local.get $p) (local.get $vecEnd)))
                (local.set $v (f32x4.sub (v128.load align=4 (local.get $p)) (v128.load align=4 (local.get $pk))))
                (v128.store align=4 (local.get $p1) (f32x4.add (v128.load align=4 (local.get $p1)) (local.get $v)))
                (v128.store align=4 (local.get $p2) (f32x4.add (v128.load align=4 (local.get $p2)) (f32x4.mul (local.get $v) (local.get $v))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $pk (i32.add (local.get $pk) (i32.const 16)))
                (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
                (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
                (br $vec)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $p) (local.get $rowEnd)))
                (local.set $s (f32.sub (f32.load (local.get $p)) (f32.load (local.get $pk))))
                (f32.store (local.get $p1) (f32.add (f32.load (local.get $p1)) (local.get $s)))
                (f32.store (local.get $p2) (f32.add (f32.load (local.get $p2)) (f32.mul (local.get $s) (local.get $s))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $pk (i32.add (local.get $pk) (i32.const 4)))
                (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
                (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
                (br $tail)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rowsLoop)))
        (call $flush (local.get $acc1) (local.get $acc2) (local.get $tot1) (local.get $tot2) (local.get $c))
        (br $blocks))))

  ;; Gradient statistics. For dy, x [rows, c] and the batch mean m [c]:
  ;;   tot1[j] += Σ_r dy[r, j],  tot2[j] += Σ_r dy[r, j]·(x[r, j] − m[j])
  ;; (same blocking as "moments").
  (func (export "gradMoments") (param $dy i32) (param $x i32) (param $rows i32) (param $c i32) (param $m i32)
        (param $acc1 i32) (param $acc2 i32) (param $tot1 i32) (param $tot2 i32)
    (local $r i32) (local $blockEnd i32) (local $p i32) (local $q i32) (local $rowEnd i32) (local $vecEnd i32)
    (local $pm i32) (local $p1 i32) (local $p2 i32) (local $d v128) (local $ds f32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $p (local.get $dy))
    (local.set $q (local.get $x))
    (block $allDone
      (loop $blocks
        (br_if $allDone (i32.ge_u (local.get $r) (local.get $rows)))
        (memory.fill (local.get $acc1) (i32.const 0) (local.get $rowBytes))
        (memory.fill (local.get $acc2) (i32.const 0) (local.get $rowBytes))
        (local.set $blockEnd (i32.add (local.get $r) (i32.const 64)))
        (if (i32.gt_u (local.get $blockEnd) (local.get $rows)) (then (local.set $blockEnd (local.get $rows))))
        (block $blockDone
          (loop $rowsLoop
            (br_if $blockDone (i32.ge_u (local.get $r) (local.get $blockEnd)))
            (local.set $rowEnd (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $vecEnd (i32.add (local.get $p) (i32.and (local.get $rowBytes) (i32.const -16))))
            (local.set $pm (local.get $m))
            (local.set $p1 (local.get $acc1))
            (local.set $p2 (local.get $acc2))
            (block $vecDone
              (loop $vec
                (br_if $vecDone (i32.ge_u (local.get $p) (local.get $vecEnd)))
                (local.set $d (v128.load align=4 (local.get $p)))
                (v128.store align=4 (local.get $p1) (f32x4.add (v128.load align=4 (local.get $p1)) (local.get $d)))
                (v128.store align=4 (local.get $p2)
                  (f32x4.add (v128.load align=4 (local.get $p2))
                    (f32x4.mul (local.get $d) (f32x4.sub (v128.load align=4 (local.get $q)) (v128.load align=4 (local.get $pm))))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (local.set $pm (i32.add (local.get $pm) (i32.const 16)))
                (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
                (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
                (br $vec)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $p) (local.get $rowEnd)))
                (local.set $ds (f32.load (local.get $p)))
                (f32.store (local.get $p1) (f32.add (f32.load (local.get $p1)) (local.get $ds)))
                (f32.store (local.get $p2)
                  (f32.add (f32.load (local.get $p2))
                    (f32.mul (local.get $ds) (f32.sub (f32.load (local.get $q)) (f32.load (local.get $pm))))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (local.set $pm (i32.add (local.get $pm) (i32.const 4)))
                (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
                (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
                (br $tail)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rowsLoop)))
        (call $flush (local.get $acc1) (local.get $acc2) (local.get $tot1) (local.get $tot2) (local.get $c))
        (br $blocks))))

  ;; out[r, j] = a[r, j]·A[j] + B[j]   (a, out [rows, c]; A, B [c])
  (func (export "affine") (param $a i32) (param $out i32) (param $rows i32) (param $c i32) (param $A i32) (param $B i32)
    (local $r i32) (local $rowEnd i32) (local $vecEnd i32) (local $pA i32) (local $pB i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (block $allDone
      (loop $rowsLoop
        (br_if $allDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $rowEnd (i32.add (local.get $a) (local.get $rowBytes)))
        (local.set $vecEnd (i32.add (local.get $a) (i32.and (local.get $rowBytes) (i32.const -16))))
        (local.set $pA (local.get $A))
        (local.set $pB (local.get $B))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.ge_u (local.get $a) (local.get $vecEnd)))
            (v128.store align=4 (local.get $out)
              (f32x4.add (f32x4.mul (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $pA))) (v128.load align=4 (local.get $pB))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $pA (i32.add (local.get $pA) (i32.const 16)))
            (local.set $pB (i32.add (local.get $pB) (i32.const 16)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $a) (local.get $rowEnd)))
            (f32.store (local.get $out) (f32.add (f32.mul (f32.load (local.get $a)) (f32.load (local.get $pA))) (f32.load (local.get $pB))))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $pA (i32.add (local.get $pA) (i32.const 4)))
            (local.set $pB (i32.add (local.get $pB) (i32.const 4)))
            (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop))))

  ;; out[r, j] = a[r, j]·A[j] + b[r, j]·B[j] + C[j]   (a, b, out [rows, c]; A, B, C [c])
  (func (export "affine2") (param $a i32) (param $b i32) (param $out i32) (param $rows i32) (param $c i32)
        (param $A i32) (param $B i32) (param $C i32)
    (local $r i32) (local $rowEnd i32) (local $vecEnd i32) (local $pA i32) (local $pB i32) (local $pC i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (block $allDone
      (loop $rowsLoop
        (br_if $allDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $rowEnd (i32.add (local.get $a) (local.get $rowBytes)))
        (local.set $vecEnd (i32.add (local.get $a) (i32.and (local.get $rowBytes) (i32.const -16))))
        (local.set $pA (local.get $A))
        (local.set $pB (local.get $B))
        (local.set $pC (local.get $C))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.ge_u (local.get $a) (local.get $vecEnd)))
            (v128.store align=4 (local.get $out)
              (f32x4.add
                (f32x4.add (f32x4.mul (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $pA)))
                           (f32x4.mul (v128.load align=4 (local.get $b)) (v128.load align=4 (local.get $pB))))
                (v128.load align=4 (local.get $pC))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $pA (i32.add (local.get $pA) (i32.const 16)))
            (local.set $pB (i32.add (local.get $pB) (i32.const 16)))
            (local.set $pC (i32.add (local.get $pC) (i32.const 16)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $a) (local.get $rowEnd)))
            (f32.store (local.get $out)
              (f32.add
                (f32.add (f32.mul (f32.load (local.get $a)) (f32.load (local.get $pA)))
                         (f32.mul (f32.load (local.get $b)) (f32.load (local.get $pB))))
                (f32.load (local.get $pC))))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $pA (i32.add (local.get $pA) (i32.const 4)))
            (local.set $pB (i32.add (local.get $pB) (i32.const 4)))
            (local.set $pC (i32.add (local.get $pC) (i32.const 4)))
            (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop))))

  ;; Adam, one variable of n elements, into new buffers (the old ones may be shared by clones):
  ;;   m' = β1·m + (1−β1)·g,  v' = β2·v + (1−β2)·g²,  w' = w − lr·((m'/d1) / (√(v'/d2) + ε))
  ;; with ob1 = 1−β1, ob2 = 1−β2, d1 = 1−β1ᵗ, d2 = 1−β2ᵗ passed in (as float32) — tfjs's AdamOptimizer
  ;; formula, operation by operation, so each value rounds as there.
  (func (export "adam") (param $w i32) (param $g i32) (param $m i32) (param $v i32)
        (param $wOut i32) (param $mOut i32) (param $vOut i32) (param $n i32)
        (param $lr f32) (param $b1 f32) (param $b2 f32) (param $ob1 f32) (param $ob2 f32) (param $eps f32) (param $c1 f32) (param $c2 f32)
    (local $end i32) (local $vecEnd i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $lr4 v128) (local $b14 v128) (local $b24 v128) (local $ob14 v128) (local $ob24 v128)
    (local $eps4 v128) (local $c14 v128) (local $c24 v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vecEnd (i32.add (local.get $w) (i32.and (i32.shl (local.get $n) (i32.const 2)) (i32.const -16))))
    (local.set $lr4 (f32x4.splat (local.get $lr)))
    (local.set $b14 (f32x4.splat (local.get $b1)))
    (local.set $b24 (f32x4.splat (local.get $b2)))
    (local.set $ob14 (f32x4.splat (local.get $ob1)))
    (local.set $ob24 (f32x4.splat (local.get $ob2)))
    (local.set $eps4 (f32x4.splat (local.get $eps)))
    (local.set $c14 (f32x4.splat (local.get $c1)))
    (local.set $c24 (f32x4.splat (local.get $c2)))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $w) (local.get $vecEnd)))
        (local.set $gv (v128.load align=4 (local.get $g)))
        (local.set $mv (f32x4.add (f32x4.mul (v128.load align=4 (local.get $m)) (local.get $b14)) (f32x4.mul (local.get $gv) (local.get $ob14))))
        (local.set $vv (f32x4.add (f32x4.mul (v128.load align=4 (local.get $v)) (local.get $b24))
                                  (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $ob24))))
        (v128.store align=4 (local.get $mOut) (local.get $mv))
        (v128.store align=4 (local.get $vOut) (local.get $vv))
        (v128.store align=4 (local.get $wOut)
          (f32x4.sub (v128.load align=4 (local.get $w))
            (f32x4.mul (local.get $lr4)
              (f32x4.div (f32x4.div (local.get $mv) (local.get $c14))
                         (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $c24))) (local.get $eps4))))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (local.set $wOut (i32.add (local.get $wOut) (i32.const 16)))
        (local.set $mOut (i32.add (local.get $mOut) (i32.const 16)))
        (local.set $vOut (i32.add (local.get $vOut) (i32.const 16)))
        (br $vec)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $w) (local.get $end)))
        (local.set $gs (f32.load (local.get $g)))
        (local.set $ms (f32.add (f32.mul (f32.load (local.get $m)) (local.get $b1)) (f32.mul (local.get $gs) (local.get $ob1))))
        (local.set $vs (f32.add (f32.mul (f32.load (local.get $v)) (local.get $b2))
                                (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $ob2))))
        (f32.store (local.get $mOut) (local.get $ms))
        (f32.store (local.get $vOut) (local.get $vs))
        (f32.store (local.get $wOut)
          (f32.sub (f32.load (local.get $w))
            (f32.mul (local.get $lr)
              (f32.div (f32.div (local.get $ms) (local.get $c1))
                       (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $c2))) (local.get $eps))))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (local.set $wOut (i32.add (local.get $wOut) (i32.const 4)))
        (local.set $mOut (i32.add (local.get $mOut) (i32.const 4)))
        (local.set $vOut (i32.add (local.get $vOut) (i32.const 4)))
        (br $tail))))

  ;; o[i] += g[i]·s, i < n
  (func $axpy (param $o i32) (param $g i32) (param $n i32) (param $s f32)
    (local $end i32) (local $vecEnd i32) (local $s4 v128)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vecEnd (i32.add (local.get $o) (i32.and (i32.shl (local.get $n) (i32.const 2)) (i32.const -16))))
    (local.set $s4 (f32x4.splat (local.get $s)))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $o) (local.get $vecEnd)))
        (v128.store align=4 (local.get $o) (f32x4.add (v128.load align=4 (local.get $o)) (f32x4.mul (v128.load align=4 (local.get $g)) (local.get $s4))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $vec)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $o) (local.get $end)))
        (f32.store (local.get $o) (f32.add (f32.load (local.get $o)) (f32.mul (f32.load (local.get $g)) (local.get $s))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (br $tail))))

  ;; AvgPoolGrad, NHWC: for every output window (b, r, c), dx[in-bounds window pixels] += dy[b, r, c]·mult.
  ;; dx must be zero on entry. Same loop order as the JavaScript kernel (pool-grads.ts).
  (func (export "avgPoolGrad") (param $dy i32) (param $dx i32) (param $n i32) (param $ih i32) (param $iw i32) (param $ch i32)
        (param $oh i32) (param $ow i32) (param $sh i32) (param $sw i32) (param $fh i32) (param $fw i32)
        (param $top i32) (param $left i32) (param $mult f32)
    (local $b i32) (local $r i32) (local $c i32) (local $r0 i32) (local $c0 i32) (local $rMin i32) (local $rMax i32)
    (local $cMin i32) (local $cMax i32) (local $xr i32) (local $xc i32) (local $g i32)
    (local.set $g (local.get $dy))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $n)))
      (local.set $r (i32.const 0))
      (block $rDone (loop $rLoop
        (br_if $rDone (i32.ge_s (local.get $r) (local.get $oh)))
        (local.set $r0 (i32.sub (i32.mul (local.get $r) (local.get $sh)) (local.get $top)))
        (local.set $rMin (select (local.get $r0) (i32.const 0) (i32.gt_s (local.get $r0) (i32.const 0))))
        (local.set $rMax (i32.add (local.get $r0) (local.get $fh)))
        (if (i32.gt_s (local.get $rMax) (local.get $ih)) (then (local.set $rMax (local.get $ih))))
        (local.set $c (i32.const 0))
        (block $cDone (loop $cLoop
          (br_if $cDone (i32.ge_s (local.get $c) (local.get $ow)))
          (local.set $c0 (i32.sub (i32.mul (local.get $c) (local.get $sw)) (local.get $left)))
          (local.set $cMin (select (local.get $c0) (i32.const 0) (i32.gt_s (local.get $c0) (i32.const 0))))
          (local.set $cMax (i32.add (local.get $c0) (local.get $fw)))
          (if (i32.gt_s (local.get $cMax) (local.get $iw)) (then (local.set $cMax (local.get $iw))))
          (local.set $xr (local.get $rMin))
          (block $xrDone (loop $xrLoop
            (br_if $xrDone (i32.ge_s (local.get $xr) (local.get $rMax)))
            (local.set $xc (local.get $cMin))
            (block $xcDone (loop $xcLoop
              (br_if $xcDone (i32.ge_s (local.get $xc) (local.get $cMax)))
              (call $axpy
                (i32.add (local.get $dx) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $ih)) (local.get $xr)) (local.get $iw)) (local.get $xc)) (local.get $ch)) (i32.const 2)))
                (local.get $g) (local.get $ch) (local.get $mult))
              (local.set $xc (i32.add (local.get $xc) (i32.const 1)))
              (br $xcLoop)))
            (local.set $xr (i32.add (local.get $xr) (i32.const 1)))
            (br $xrLoop)))
          (local.set $g (i32.add (local.get $g) (i32.shl (local.get $ch) (i32.const 2))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop))))

  ;; dx[a − x + ...] += dy at the byte address a of x's window maximum (0 = no maximum: all NaN/−∞)
  (func $scatter (param $a i32) (param $x i32) (param $dx i32) (param $g i32)
    (local $p i32)
    (if (i32.ne (local.get $a) (i32.const 0))
      (then
        (local.set $p (i32.add (local.get $dx) (i32.sub (local.get $a) (local.get $x))))
        (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (local.get $g)))))))

  ;; MaxPoolGrad, NHWC: for every output window and channel, add dy to the FIRST maximum of x in
  ;; row-major window order (strict >, as tfjs-cpu's maxPoolPositions). dx must be zero on entry.
  (func (export "maxPoolGrad") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32) (param $ih i32) (param $iw i32)
        (param $ch i32) (param $oh i32) (param $ow i32) (param $sh i32) (param $sw i32) (param $fh i32) (param $fw i32)
        (param $top i32) (param $left i32)
    (local $b i32) (local $r i32) (local $c i32) (local $r0 i32) (local $c0 i32) (local $rMin i32) (local $rMax i32)
    (local $cMin i32) (local $cMax i32) (local $xr i32) (local $xc i32) (local $g i32) (local $j i32) (local $vecCh i32)
    (local $p i32) (local $best v128) (local $at v128) (local $v v128) (local $m v128) (local $bs f32) (local $as i32) (local $vs f32)
    (local.set $g (local.get $dy))
    (local.set $vecCh (i32.and (local.get $ch) (i32.const -4)))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $n)))
      (local.set $r (i32.const 0))
      (block $rDone (loop $rLoop
        (br_if $rDone (i32.ge_s (local.get $r) (local.get $oh)))
        (local.set $r0 (i32.sub (i32.mul (local.get $r) (local.get $sh)) (local.get $top)))
        (local.set $rMin (select (local.get $r0) (i32.const 0) (i32.gt_s (local.get $r0) (i32.const 0))))
        (local.set $rMax (i32.add (local.get $r0) (local.get $fh)))
        (if (i32.gt_s (local.get $rMax) (local.get $ih)) (then (local.set $rMax (local.get $ih))))
        (local.set $c (i32.const 0))
        (block $cDone (loop $cLoop
          (br_if $cDone (i32.ge_s (local.get $c) (local.get $ow)))
          (local.set $c0 (i32.sub (i32.mul (local.get $c) (local.get $sw)) (local.get $left)))
          (local.set $cMin (select (local.get $c0) (i32.const 0) (i32.gt_s (local.get $c0) (i32.const 0))))
          (local.set $cMax (i32.add (local.get $c0) (local.get $fw)))
          (if (i32.gt_s (local.get $cMax) (local.get $iw)) (then (local.set $cMax (local.get $iw))))
          ;; 4 channels at a time
          (local.set $j (i32.const 0))
          (block $jDone (loop $jLoop
            (br_if $jDone (i32.ge_s (local.get $j) (local.get $vecCh)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $at (i32x4.splat (i32.const 0)))
            (local.set $xr (local.get $rMin))
            (block $xrDone (loop $xrLoop
              (br_if $xrDone (i32.ge_s (local.get $xr) (local.get $rMax)))
              (local.set $xc (local.get $cMin))
              (block $xcDone (loop $xcLoop
                (br_if $xcDone (i32.ge_s (local.get $xc) (local.get $cMax)))
                (local.set $p (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $ih)) (local.get $xr)) (local.get $iw)) (local.get $xc)) (local.get $ch)) (local.get $j)) (i32.const 2))))
                (local.set $v (v128.load align=4 (local.get $p)))
                (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                (local.set $at (v128.bitselect (i32x4.add (i32x4.splat (local.get $p)) (v128.const i32x4 0 4 8 12)) (local.get $at) (local.get $m)))
                (local.set $xc (i32.add (local.get $xc) (i32.const 1)))
                (br $xcLoop)))
              (local.set $xr (i32.add (local.get $xr) (i32.const 1)))
              (br $xrLoop)))
            (call $scatter (i32x4.extract_lane 0 (local.get $at)) (local.get $x) (local.get $dx) (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 2))))
            (call $scatter (i32x4.extract_lane 1 (local.get $at)) (local.get $x) (local.get $dx) (i32.add (local.get $g) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2))))
            (call $scatter (i32x4.extract_lane 2 (local.get $at)) (local.get $x) (local.get $dx) (i32.add (local.get $g) (i32.shl (i32.add (local.get $j) (i32.const 2)) (i32.const 2))))
            (call $scatter (i32x4.extract_lane 3 (local.get $at)) (local.get $x) (local.get $dx) (i32.add (local.get $g) (i32.shl (i32.add (local.get $j) (i32.const 3)) (i32.const 2))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $jLoop)))
          ;; remaining channels one at a time
          (block $tDone (loop $tLoop
            (br_if $tDone (i32.ge_s (local.get $j) (local.get $ch)))
            (local.set $bs (f32.const -inf))
            (local.set $as (i32.const 0))
            (local.set $xr (local.get $rMin))
            (block $xrDone2 (loop $xrLoop2
              (br_if $xrDone2 (i32.ge_s (local.get $xr) (local.get $rMax)))
              (local.set $xc (local.get $cMin))
              (block $xcDone2 (loop $xcLoop2
                (br_if $xcDone2 (i32.ge_s (local.get $xc) (local.get $cMax)))
                (local.set $p (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $ih)) (local.get $xr)) (local.get $iw)) (local.get $xc)) (local.get $ch)) (local.get $j)) (i32.const 2))))
                (local.set $vs (f32.load (local.get $p)))
                (if (f32.gt (local.get $vs) (local.get $bs)) (then (local.set $bs (local.get $vs)) (local.set $as (local.get $p))))
                (local.set $xc (i32.add (local.get $xc) (i32.const 1)))
                (br $xcLoop2)))
              (local.set $xr (i32.add (local.get $xr) (i32.const 1)))
              (br $xrLoop2)))
            (call $scatter (local.get $as) (local.get $x) (local.get $dx) (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $tLoop)))
          (local.set $g (i32.add (local.get $g) (i32.shl (local.get $ch) (i32.const 2))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop))))
)
