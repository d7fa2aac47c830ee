;; cxrkit's WASM SIMD kernels for radiograph preprocessing (no tfjs: the module owns its memory).
;; All pointers are byte addresses in this memory, all counts are elements.
;;
;; Resampling keeps Pillow's arithmetic exactly (ImagingResample on 'F' images): per output pixel a
;; float64 sum, in tap order, of float32 input × float64 coefficient, rounded to float32 at the end.
;; SIMD lanes therefore run over independent output pixels (rows in the horizontal pass, columns in the
;; vertical pass), never over the taps of one sum, so every sum is the one Pillow computes.
;; Compiled by scripts/build-wasm-core.mjs (wabt) into preprocess.wasm.ts.
(module
  (memory (export "memory") 1)

  ;; Horizontal pass. src: `rows` rows of `srcW` f32; dst: `rows` rows of `outW` f32.
  ;; Output xx of a row = Σ_{t < count[xx]} src[start[xx] + t] · k[xx·ksize + t] (f64), with
  ;; bounds = (start, count) i32 pairs and k f64. Rows go 8 at a time: they are first interleaved into
  ;; `scratch` (srcW · 64 bytes) as f64 pairs (r0, r1) (r2, r3) (r4, r5) (r6, r7) per column, then each
  ;; tap is four independent f64x2 multiply-adds sharing one weight.
  (func (export "resampleH") (param $src i32) (param $srcW i32) (param $rows i32) (param $dst i32) (param $outW i32)
        (param $bounds i32) (param $k i32) (param $ksize i32) (param $scratch i32)
    (local $y i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $r4 i32) (local $r5 i32)
    (local $r6 i32) (local $r7 i32) (local $rowBytes i32) (local $x i32) (local $p i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $e v128) (local $f v128) (local $g v128) (local $h v128)
    (local $xx i32) (local $kp i32) (local $end i32) (local $w v128)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $o i32) (local $outBytes i32) (local $left i32) (local $kBytes i32)
    (local.set $rowBytes (i32.shl (local.get $srcW) (i32.const 2)))
    (local.set $outBytes (i32.shl (local.get $outW) (i32.const 2)))
    (local.set $kBytes (i32.shl (local.get $ksize) (i32.const 3)))
    (block $rowsDone
      (loop $rowBlocks
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $left (i32.sub (local.get $rows) (local.get $y)))
        ;; the 8 source rows (missing ones repeat the last: computed, never stored)
        (local.set $r0 (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $rowBytes))))
        (local.set $r1 (select (i32.add (local.get $r0) (local.get $rowBytes)) (local.get $r0) (i32.gt_u (local.get $left) (i32.const 1))))
        (local.set $r2 (select (i32.add (local.get $r1) (local.get $rowBytes)) (local.get $r1) (i32.gt_u (local.get $left) (i32.const 2))))
        (local.set $r3 (select (i32.add (local.get $r2) (local.get $rowBytes)) (local.get $r2) (i32.gt_u (local.get $left) (i32.const 3))))
        (local.set $r4 (select (i32.add (local.get $r3) (local.get $rowBytes)) (local.get $r3) (i32.gt_u (local.get $left) (i32.const 4))))
        (local.set $r5 (select (i32.add (local.get $r4) (local.get $rowBytes)) (local.get $r4) (i32.gt_u (local.get $left) (i32.const 5))))
        (local.set $r6 (select (i32.add (local.get $r5) (local.get $rowBytes)) (local.get $r5) (i32.gt_u (local.get $left) (i32.const 6))))
        (local.set $r7 (select (i32.add (local.get $r6) (local.get $rowBytes)) (local.get $r6) (i32.gt_u (local.get $left) (i32.const 7))))
        ;; interleave: scratch[x] = (r0[x], r1[x]) … (r6[x], r7[x]) as f64
        (local.set $x (i32.const 0))
        (local.set $p (local.get $scratch))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.gt_u (i32.add (local.get $x) (i32.const 4)) (local.get $srcW)))
            (local.set $o (i32.shl (local.get $x) (i32.const 2)))
            (local.set $a (v128.load align=4 (i32.add (local.get $r0) (local.get $o))))
            (local.set $b (v128.load align=4 (i32.add (local.get $r1) (local.get $o))))
            (local.set $c (v128.load align=4 (i32.add (local.get $r2) (local.get $o))))
            (local.set $d (v128.load align=4 (i32.add (local.get $r3) (local.get $o))))
            (local.set $e (v128.load align=4 (i32.add (local.get $r4) (local.get $o))))
            (local.set $f (v128.load align=4 (i32.add (local.get $r5) (local.get $o))))
            (local.set $g (v128.load align=4 (i32.add (local.get $r6) (local.get $o))))
            (local.set $h (v128.load align=4 (i32.add (local.get $r7) (local.get $o))))
            (v128.store offset=0 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 0 1 2 3 16 17 18 19 0 1 2 3 16 17 18 19 (local.get $a) (local.get $b))))
            (v128.store offset=16 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 0 1 2 3 16 17 18 19 0 1 2 3 16 17 18 19 (local.get $c) (local.get $d))))
            (v128.store offset=32 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 0 1 2 3 16 17 18 19 0 1 2 3 16 17 18 19 (local.get $e) (local.get $f))))
            (v128.store offset=48 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 0 1 2 3 16 17 18 19 0 1 2 3 16 17 18 19 (local.get $g) (local.get $h))))
            (v128.store offset=64 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 4 5 6 7 20 21 22 23 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b))))
            (v128.store offset=80 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 4 5 6 7 20 21 22 23 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d))))
            (v128.store offset=96 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 4 5 6 7 20 21 22 23 4 5 6 7 20 21 22 23 (local.get $e) (local.get $f))))
            (v128.store offset=112 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 4 5 6 7 20 21 22 23 4 5 6 7 20 21 22 23 (local.get $g) (local.get $h))))
            (v128.store offset=128 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $a) (local.get $b))))
            (v128.store offset=144 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $c) (local.get $d))))
            (v128.store offset=160 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $e) (local.get $f))))
            (v128.store offset=176 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $g) (local.get $h))))
            (v128.store offset=192 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 12 13 14 15 28 29 30 31 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b))))
            (v128.store offset=208 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 12 13 14 15 28 29 30 31 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d))))
            (v128.store offset=224 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 12 13 14 15 28 29 30 31 12 13 14 15 28 29 30 31 (local.get $e) (local.get $f))))
            (v128.store offset=240 (local.get $p) (f64x2.promote_low_f32x4
              (i8x16.shuffle 12 13 14 15 28 29 30 31 12 13 14 15 28 29 30 31 (local.get $g) (local.get $h))))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (i32.const 256)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $x) (local.get $srcW)))
            (local.set $o (i32.shl (local.get $x) (i32.const 2)))
            (v128.store offset=0 (local.get $p) (f64x2.replace_lane 1
              (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $r0) (local.get $o)))))
              (f64.promote_f32 (f32.load (i32.add (local.get $r1) (local.get $o))))))
            (v128.store offset=16 (local.get $p) (f64x2.replace_lane 1
              (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $r2) (local.get $o)))))
              (f64.promote_f32 (f32.load (i32.add (local.get $r3) (local.get $o))))))
            (v128.store offset=32 (local.get $p) (f64x2.replace_lane 1
              (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $r4) (local.get $o)))))
              (f64.promote_f32 (f32.load (i32.add (local.get $r5) (local.get $o))))))
            (v128.store offset=48 (local.get $p) (f64x2.replace_lane 1
              (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $r6) (local.get $o)))))
              (f64.promote_f32 (f32.load (i32.add (local.get $r7) (local.get $o))))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (br $tail)))
        ;; multiply-add per output column, 8 rows at once
        (local.set $xx (i32.const 0))
        (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $outBytes))))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $p (i32.add (local.get $scratch)
              (i32.shl (i32.load (i32.add (local.get $bounds) (i32.shl (local.get $xx) (i32.const 3)))) (i32.const 6))))
            (local.set $kp (i32.add (local.get $k) (i32.mul (local.get $xx) (local.get $kBytes))))
            (local.set $end (i32.add (local.get $kp)
              (i32.shl (i32.load offset=4 (i32.add (local.get $bounds) (i32.shl (local.get $xx) (i32.const 3)))) (i32.const 3))))
            (local.set $acc0 (v128.const i64x2 0 0))
            (local.set $acc1 (v128.const i64x2 0 0))
            (local.set $acc2 (v128.const i64x2 0 0))
            (local.set $acc3 (v128.const i64x2 0 0))
            (block $tapsDone
              (loop $taps
                (br_if $tapsDone (i32.ge_u (local.get $kp) (local.get $end)))
                (local.set $w (v128.load64_splat (local.get $kp)))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (v128.load offset=0 (local.get $p)) (local.get $w))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (v128.load offset=16 (local.get $p)) (local.get $w))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (v128.load offset=32 (local.get $p)) (local.get $w))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (v128.load offset=48 (local.get $p)) (local.get $w))))
                (local.set $p (i32.add (local.get $p) (i32.const 64)))
                (local.set $kp (i32.add (local.get $kp) (i32.const 8)))
                (br $taps)))
            (if (i32.ge_u (local.get $left) (i32.const 8))
              (then
                  (f32.store (local.get $o) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc0))))
                  (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 1))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc0))))
                  (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 2))) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc1))))
                  (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 3))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc1))))
                  (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 4))) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc2))))
                  (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 5))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc2))))
                  (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 6))) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc3))))
                  (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 7))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc3)))))
              (else
                  (f32.store (local.get $o) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc0))))
                  (if (i32.gt_u (local.get $left) (i32.const 1)) (then (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 1))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc0))))))
                  (if (i32.gt_u (local.get $left) (i32.const 2)) (then (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 2))) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc1))))))
                  (if (i32.gt_u (local.get $left) (i32.const 3)) (then (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 3))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc1))))))
                  (if (i32.gt_u (local.get $left) (i32.const 4)) (then (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 4))) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc2))))))
                  (if (i32.gt_u (local.get $left) (i32.const 5)) (then (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 5))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc2))))))
                  (if (i32.gt_u (local.get $left) (i32.const 6)) (then (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 6))) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $acc3))))))
                  (if (i32.gt_u (local.get $left) (i32.const 7)) (then (f32.store (i32.add (local.get $o) (i32.mul (local.get $outBytes) (i32.const 7))) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $acc3))))))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (br $rowBlocks))))

  ;; Vertical pass. src: rows of `w` f32; dst: `outH` rows of `w` f32.
  ;; dst[yy][x] = Σ_{t < count[yy]} src[start[yy] + t][x] · k[yy·ksize + t] (f64), 8 columns at a time
  ;; (four f64x2 sums in registers), then a scalar tail.
  (func (export "resampleV") (param $src i32) (param $w i32) (param $dst i32) (param $outH i32)
        (param $bounds i32) (param $k i32) (param $ksize i32)
    (local $yy i32) (local $rowBytes i32) (local $srow i32) (local $drow i32) (local $kbase i32) (local $kend i32)
    (local $x i32) (local $p i32) (local $kp i32) (local $wt v128) (local $v v128) (local $u v128)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $s f64) (local $kBytes i32)
    (local.set $rowBytes (i32.shl (local.get $w) (i32.const 2)))
    (local.set $kBytes (i32.shl (local.get $ksize) (i32.const 3)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $yy) (local.get $outH)))
        (local.set $srow (i32.add (local.get $src)
          (i32.mul (i32.load (i32.add (local.get $bounds) (i32.shl (local.get $yy) (i32.const 3)))) (local.get $rowBytes))))
        (local.set $kbase (i32.add (local.get $k) (i32.mul (local.get $yy) (local.get $kBytes))))
        (local.set $kend (i32.add (local.get $kbase)
          (i32.shl (i32.load offset=4 (i32.add (local.get $bounds) (i32.shl (local.get $yy) (i32.const 3)))) (i32.const 3))))
        (local.set $drow (i32.add (local.get $dst) (i32.mul (local.get $yy) (local.get $rowBytes))))
        (local.set $x (i32.const 0))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.gt_u (i32.add (local.get $x) (i32.const 8)) (local.get $w)))
            (local.set $p (i32.add (local.get $srow) (i32.shl (local.get $x) (i32.const 2))))
            (local.set $kp (local.get $kbase))
            (local.set $acc0 (v128.const i64x2 0 0))
            (local.set $acc1 (v128.const i64x2 0 0))
            (local.set $acc2 (v128.const i64x2 0 0))
            (local.set $acc3 (v128.const i64x2 0 0))
            (block $tapsDone
              (loop $taps
                (br_if $tapsDone (i32.ge_u (local.get $kp) (local.get $kend)))
                (local.set $wt (v128.load64_splat (local.get $kp)))
                (local.set $v (v128.load offset=0 align=4 (local.get $p)))
                (local.set $u (v128.load offset=16 align=4 (local.get $p)))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $wt))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))) (local.get $wt))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $u)) (local.get $wt))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $u) (local.get $u))) (local.get $wt))))
                (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
                (local.set $kp (i32.add (local.get $kp) (i32.const 8)))
                (br $taps)))
            (local.set $p (i32.add (local.get $drow) (i32.shl (local.get $x) (i32.const 2))))
            (v128.store offset=0 align=4 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (f32x4.demote_f64x2_zero (local.get $acc0)) (f32x4.demote_f64x2_zero (local.get $acc1))))
            (v128.store offset=16 align=4 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (f32x4.demote_f64x2_zero (local.get $acc2)) (f32x4.demote_f64x2_zero (local.get $acc3))))
            (local.set $x (i32.add (local.get $x) (i32.const 8)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $x) (local.get $w)))
            (local.set $p (i32.add (local.get $srow) (i32.shl (local.get $x) (i32.const 2))))
            (local.set $kp (local.get $kbase))
            (local.set $s (f64.const 0))
            (block $tapsDone
              (loop $taps
                (br_if $tapsDone (i32.ge_u (local.get $kp) (local.get $kend)))
                (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load (local.get $p))) (f64.load (local.get $kp)))))
                (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
                (local.set $kp (i32.add (local.get $kp) (i32.const 8)))
                (br $taps)))
            (f32.store (i32.add (local.get $drow) (i32.shl (local.get $x) (i32.const 2))) (f32.demote_f64 (local.get $s)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $tail)))
        (local.set $yy (i32.add (local.get $yy) (i32.const 1)))
        (br $rows))))

  ;; Percentile histograms over the monotone keys of f32 bit patterns,
  ;; key = bits ^ (negative ? 0xffffffff : 0x80000000) (unsigned key order = numeric order).
  ;; histHigh: high[key >> 16] += 1 for every `step`-th of the n values at x (high: 65536 i32).
  (func (export "histHigh") (param $x i32) (param $n i32) (param $step i32) (param $high i32)
    (local $end i32) (local $b i32) (local $a i32) (local $stride i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $stride (i32.shl (local.get $step) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $b (i32.load (local.get $x)))
        (local.set $a (i32.add (local.get $high) (i32.shl (i32.shr_u
          (i32.xor (local.get $b) (i32.or (i32.shr_s (local.get $b) (i32.const 31)) (i32.const 0x80000000)))
          (i32.const 16)) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $x (i32.add (local.get $x) (local.get $stride)))
        (br $l))))

  ;; histLow: for values whose high bin has slot s = slot[key >> 16] ≥ 0 (slot: 65536 i8),
  ;; low[s · 65536 + (key & 0xffff)] += 1 (low: i32).
  (func (export "histLow") (param $x i32) (param $n i32) (param $slot i32) (param $low i32)
    (local $end i32) (local $key i32) (local $s i32) (local $a i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $key (i32.load (local.get $x)))
        (local.set $key (i32.xor (local.get $key) (i32.or (i32.shr_s (local.get $key) (i32.const 31)) (i32.const 0x80000000))))
        (local.set $s (i32.load8_s (i32.add (local.get $slot) (i32.shr_u (local.get $key) (i32.const 16)))))
        (if (i32.ge_s (local.get $s) (i32.const 0))
          (then
            (local.set $a (i32.add (local.get $low) (i32.shl
              (i32.or (i32.shl (local.get $s) (i32.const 16)) (i32.and (local.get $key) (i32.const 0xffff))) (i32.const 2))))
            (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $l))))

  ;; histBoth: histHigh (step 1) and histLow in one pass.
  (func (export "histBoth") (param $x i32) (param $n i32) (param $high i32) (param $slot i32) (param $low i32)
    (local $end i32) (local $key i32) (local $h i32) (local $s i32) (local $a i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $key (i32.load (local.get $x)))
        (local.set $key (i32.xor (local.get $key) (i32.or (i32.shr_s (local.get $key) (i32.const 31)) (i32.const 0x80000000))))
        (local.set $h (i32.shr_u (local.get $key) (i32.const 16)))
        (local.set $a (i32.add (local.get $high) (i32.shl (local.get $h) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $s (i32.load8_s (i32.add (local.get $slot) (local.get $h))))
        (if (i32.ge_s (local.get $s) (i32.const 0))
          (then
            (local.set $a (i32.add (local.get $low) (i32.shl
              (i32.or (i32.shl (local.get $s) (i32.const 16)) (i32.and (local.get $key) (i32.const 0xffff))) (i32.const 2))))
            (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $l))))

  ;; out[i] = (clamp(x[i], lo, hi) − lo) / (hi − lo) in f64, rounded to f32 (numpy's clip + min-max;
  ;; the clamp is numpy's min(max(x, lo), hi) with max(a, b) = a > b ? a : b, signed zeros included).
  (func (export "clipUnit") (param $x i32) (param $n i32) (param $out i32) (param $lo f64) (param $hi f64)
    (local $end i32) (local $vecEnd i32) (local $vlo v128) (local $vhi v128) (local $vspan v128) (local $v v128)
    (local $span f64) (local $s f64)
    (local.set $span (f64.sub (local.get $hi) (local.get $lo)))
    (local.set $vlo (f64x2.splat (local.get $lo)))
    (local.set $vhi (f64x2.splat (local.get $hi)))
    (local.set $vspan (f64x2.splat (local.get $span)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vecEnd (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $x) (local.get $vecEnd)))
        (local.set $v (v128.load align=4 (local.get $x)))
        (v128.store align=4 (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.div (f64x2.sub
            (f64x2.pmin (local.get $vhi) (f64x2.pmax (local.get $vlo) (f64x2.promote_low_f32x4 (local.get $v))))
            (local.get $vlo)) (local.get $vspan)))
          (f32x4.demote_f64x2_zero (f64x2.div (f64x2.sub
            (f64x2.pmin (local.get $vhi) (f64x2.pmax (local.get $vlo) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))))
            (local.get $vlo)) (local.get $vspan)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $vec)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f64.promote_f32 (f32.load (local.get $x))))
        ;; as pmax / pmin above (and numpy's clip): s = lo < s ? s : lo; s = s < hi ? s : hi
        (if (i32.eqz (f64.lt (local.get $lo) (local.get $s))) (then (local.set $s (local.get $lo))))
        (if (i32.eqz (f64.lt (local.get $s) (local.get $hi))) (then (local.set $s (local.get $hi))))
        (f32.store (local.get $out) (f32.demote_f64 (f64.div (f64.sub (local.get $s) (local.get $lo)) (local.get $span))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $l))))

  ;; Per-image z-score: out[i] = (x[i] − mean) / sd in f64, rounded to f32, sd the population std; all
  ;; zeros when sd is 0 or not finite. Sums run in four lanes (i mod 4, as two f64x2), combined as
  ;; (l0 + l1) + (l2 + l3), then the n mod 4 tail in order — normalize.ts zScoreJs sums the same way.
  (func (export "zScore") (param $x i32) (param $n i32) (param $out i32)
    (local $p i32) (local $q i32) (local $end i32) (local $vecEnd i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local $accA v128) (local $accB v128) (local $s f64) (local $mean f64) (local $sd f64) (local $d f64)
    (local $vmean v128) (local $vsd v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vecEnd (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    ;; mean
    (local.set $p (local.get $x))
    (block $done1
      (loop $l1
        (br_if $done1 (i32.ge_u (local.get $p) (local.get $vecEnd)))
        (local.set $v (v128.load align=4 (local.get $p)))
        (local.set $accA (f64x2.add (local.get $accA) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $accB (f64x2.add (local.get $accB) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l1)))
    (local.set $s (f64.add
      (f64.add (f64x2.extract_lane 0 (local.get $accA)) (f64x2.extract_lane 1 (local.get $accA)))
      (f64.add (f64x2.extract_lane 0 (local.get $accB)) (f64x2.extract_lane 1 (local.get $accB)))))
    (block $done2
      (loop $l2
        (br_if $done2 (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l2)))
    (local.set $mean (f64.div (local.get $s) (f64.convert_i32_u (local.get $n))))
    ;; population std
    (local.set $vmean (f64x2.splat (local.get $mean)))
    (local.set $accA (v128.const i64x2 0 0))
    (local.set $accB (v128.const i64x2 0 0))
    (local.set $p (local.get $x))
    (block $done3
      (loop $l3
        (br_if $done3 (i32.ge_u (local.get $p) (local.get $vecEnd)))
        (local.set $v (v128.load align=4 (local.get $p)))
        (local.set $lo (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $vmean)))
        (local.set $hi (f64x2.sub (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))) (local.get $vmean)))
        (local.set $accA (f64x2.add (local.get $accA) (f64x2.mul (local.get $lo) (local.get $lo))))
        (local.set $accB (f64x2.add (local.get $accB) (f64x2.mul (local.get $hi) (local.get $hi))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l3)))
    (local.set $s (f64.add
      (f64.add (f64x2.extract_lane 0 (local.get $accA)) (f64x2.extract_lane 1 (local.get $accA)))
      (f64.add (f64x2.extract_lane 0 (local.get $accB)) (f64x2.extract_lane 1 (local.get $accB)))))
    (block $done4
      (loop $l4
        (br_if $done4 (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $d (f64.sub (f64.promote_f32 (f32.load (local.get $p))) (local.get $mean)))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d) (local.get $d))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l4)))
    (local.set $sd (f64.sqrt (f64.div (local.get $s) (f64.convert_i32_u (local.get $n)))))
    (if (i32.eqz (i32.and (f64.gt (local.get $sd) (f64.const 0)) (f64.lt (local.get $sd) (f64.const inf))))
      (then
        (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $n) (i32.const 2)))
        (return)))
    ;; (x − mean) / sd
    (local.set $vsd (f64x2.splat (local.get $sd)))
    (local.set $p (local.get $x))
    (local.set $q (local.get $out))
    (block $done5
      (loop $l5
        (br_if $done5 (i32.ge_u (local.get $p) (local.get $vecEnd)))
        (local.set $v (v128.load align=4 (local.get $p)))
        (v128.store align=4 (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.div (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $vmean)) (local.get $vsd)))
          (f32x4.demote_f64x2_zero (f64x2.div (f64x2.sub (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))) (local.get $vmean)) (local.get $vsd)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $l5)))
    (block $done6
      (loop $l6
        (br_if $done6 (i32.ge_u (local.get $p) (local.get $end)))
        (f32.store (local.get $q) (f32.demote_f64 (f64.div (f64.sub (f64.promote_f32 (f32.load (local.get $p))) (local.get $mean)) (local.get $sd))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $l6))))
)
