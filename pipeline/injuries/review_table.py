"""The joint review's table: every catalog exercise judged against every injury area, with
why (the judging of entries without a row: pipeline.injuries.review).

A verdict per (exercise, area) is one of
- AVOID: never programmed for an athlete with that area injured (loaded end range,
  deep flexion under load, axial loading, an extended wrist under bodyweight, ...);
- CAUTION: usable only when nothing kinder trains the same muscle the same way with the
  athlete's equipment (the builder then ranks it last and the pain rule governs it);
- OK: no loaded position this catalog knows to aggravate that area.

The verdicts follow the joint angles, load position, grip and axial load of each
movement as described in docs/injuries.md (sources there: Escamilla 2001 on knee forces in
the squat and leg press, McGill 2007 on lumbar loading, Kolber et al. 2010 on shoulder
positions in resistance training; coaching consensus where no study exists - marked so).
They are conservative exercise-level defaults for a lifter who reports pain in an area,
not medical advice.

Only non-OK cells and notable OK cells are written per exercise; every other cell gets the
reason its movement pattern implies (``_DEFAULT``), so each pair has a recorded reason. The
module depends on the domain alone (its vocabulary is pipeline.injuries.verdicts): the
catalog reads it while building its table.
"""

from __future__ import annotations

from programgen.pipeline.injuries.verdicts import (
    Judgement,
    Row,
    S,
    Stress,
    Verdict,
)
from programgen.pipeline.injuries.verdicts import avoid as _a
from programgen.pipeline.injuries.verdicts import caution as _c
from programgen.pipeline.injuries.verdicts import ok as _ok
from programgen.pipeline.injuries.verdicts import row as _row

__all__ = ["DEMANDING", "REVIEW", "SUPPORTED", "Judgement", "Row", "Stress", "Verdict"]


# Reasons shared by several rows.
_DIP_ELBOW = _a("deep loaded elbow flexion with high joint compression at the bottom of a dip")
_DIP_SHOULDER = _a("loaded end-range shoulder extension with internal rotation")
_DIP_WRIST = _a("the hands carry the body with the wrists bent back")
_PUSH_WRIST = _a("a large share of bodyweight on a wrist extended to about 90 degrees")
_PUSH_SHOULDER = _c("closed-chain press near end-range shoulder extension at the bottom")
_OVERHEAD_SH = _a("loaded shoulder flexion through the painful (impingement) arc overhead")
_HANG_SH = _a("bodyweight hanging at end-range shoulder flexion")
_SQUAT_KNEE = _a("deep knee flexion under load: the highest patellofemoral forces")
_SQUAT_HIP = _a("loaded deep hip flexion at the bottom")
_AXIAL = _a("a bar on the body loads the spine axially and the torso leans forward")
_HINGE_BACK = _a("a loaded forward bend: high lumbar moment and shear")
_HINGE_HIP = _c("end-range hip flexion with a stretched hamstring")
_LUNGE_KNEE = _a("the front knee bends deeply under the body's weight in a split stance")
_LUNGE_HIP = _a("split stance: the rear hip at end-range extension, the front hip deeply bent")
_BOX_KNEE = _c("the box sets a shorter, pain-free depth, but the knee still bends under load")
_BOX_HIP = _c("the box limits hip flexion to about parallel")
_CURL_KNEE = _c("loaded knee flexion toward deep flexion (meniscus) - keep a pain-free range")
_CRUNCH_BACK = _c("repeated lumbar flexion, the loading pattern linked to disc irritation")
_SUPINE_EL = _c("supinated curling loads the distal biceps tendon and the medial elbow")
_RAISE_SH = _c("abduction toward 90 degrees loads the supraspinatus; only below shoulder height")
_BENT_BACK = _c("an unsupported bent-over torso holds the lumbar spine under load")
_FRONT_RAISE = _a("long-lever loaded flexion into the impingement arc")
_GOBLET_BACK = _c("a load held in front compresses the spine and pulls the torso forward")
_RACK_SH = _c("a bar on the back holds the shoulder in abduction and external rotation")

REVIEW: dict[str, Row] = {
    # ------------------------------------------------------------------ chest
    "barbell_bench_press": _row(
        shoulder=_a("fixed pronated grip: loaded horizontal abduction and end-range extension"),
        wrist=_c("the bar sits in an extended wrist under heavy load"),
        elbow=_ok("a moderate grip keeps the elbow mid-range; close-grip is the stressful one"),
    ),
    "incline_barbell_bench_press": _row(
        shoulder=_a("a fixed grip on an incline raises the arm toward the impingement arc"),
        wrist=_c("the bar sits in an extended wrist under load"),
    ),
    "dumbbell_bench_press": _row(
        shoulder=_c("the grip can turn neutral, but the bottom stretches the shoulder"),
    ),
    "incline_dumbbell_press": _row(
        shoulder=_c("the incline raises the arm toward the impingement arc"),
    ),
    "dumbbell_floor_press": _row(
        shoulder=_ok("the floor stops the elbows before end-range shoulder extension"),
    ),
    "machine_chest_press": _row(
        shoulder=_ok("a guided path and a seat set to a pain-free range: the kindest press"),
    ),
    "kettlebell_floor_press": _row(
        shoulder=_ok("the floor stops the elbows before end-range shoulder extension"),
        wrist=_c("the bell rests on the forearm and pulls the wrist into extension"),
    ),
    "band_chest_press": _row(
        shoulder=_ok("band tension is lowest in the stretched position"),
    ),
    "incline_push_up": _row(
        S.PUSH_UP,
        wrist=_a(
            "a smaller share of bodyweight, but on a wrist bent back toward end range; "
            "the fist push-up keeps it neutral"
        ),
        shoulder=_c("lighter than a floor push-up, still near end-range at the bottom"),
    ),
    "push_up": _row(S.PUSH_UP, wrist=_PUSH_WRIST, shoulder=_PUSH_SHOULDER),
    "feet_elevated_push_up": _row(
        S.PUSH_UP,
        wrist=_PUSH_WRIST,
        shoulder=_a("more bodyweight pressed with the shoulder flexed toward overhead"),
    ),
    "deficit_push_up": _row(
        S.PUSH_UP,
        S.END_RANGE,
        wrist=_PUSH_WRIST,
        shoulder=_a("hands on blocks take the shoulder past the floor into end-range extension"),
    ),
    # Not the flat-hand push-up position (Stress.PUSH_UP): on the fists the wrist bears
    # no extension, which is why it is the wrist-friendly variant.
    "fist_push_up": _row(
        wrist=_ok("on the knuckles the wrist stays neutral"),
        shoulder=_PUSH_SHOULDER,
    ),
    "cable_fly": _row(S.FLY, shoulder=_c("loaded horizontal abduction in the stretch")),
    "pec_deck": _row(S.FLY, shoulder=_c("stretched horizontal abduction on a fixed path")),
    "dumbbell_fly": _row(
        S.FLY,
        S.END_RANGE,
        shoulder=_a("a long lever at end-range horizontal abduction"),
    ),
    "band_fly": _row(S.FLY, shoulder=_ok("band tension is lowest in the stretch")),
    # ------------------------------------------------------------------ back
    "barbell_row": _row(
        S.HINGE,
        S.GRIPPING,
        back=_a("an unsupported bent-over torso under a heavy bar: high lumbar shear"),
    ),
    "pull_up": _row(
        S.OVERHEAD,
        S.HANGING,
        S.GRIPPING,
        S.WIDE_GRIP,
        shoulder=_HANG_SH,
        elbow=_c("the whole bodyweight through the elbow flexors"),
    ),
    "weighted_pull_up": _row(
        S.OVERHEAD,
        S.HANGING,
        S.GRIPPING,
        shoulder=_HANG_SH,
        elbow=_a("added load on top of bodyweight through the elbow flexors"),
    ),
    "chin_up": _row(
        S.OVERHEAD,
        S.HANGING,
        S.GRIPPING,
        S.SUPINATED,
        shoulder=_HANG_SH,
        elbow=_a("a supinated grip loads the distal biceps tendon and medial elbow"),
    ),
    "band_assisted_pull_up": _row(
        S.OVERHEAD,
        S.HANGING,
        shoulder=_a("still a hang at end-range shoulder flexion"),
        elbow=_c("less than bodyweight, but through the elbow flexors"),
    ),
    "inverted_row": _row(shoulder=_ok("a horizontal pull below shoulder height")),
    "one_arm_dumbbell_row": _row(
        back=_c("one hand supports the torso, but bent over and asymmetric"),
    ),
    "chest_supported_dumbbell_row": _row(back=_ok("the bench carries the torso")),
    "lat_pulldown": _row(
        S.OVERHEAD,
        S.WIDE_GRIP,
        shoulder=_c("arms overhead under load, though the load is below bodyweight"),
    ),
    "seated_cable_row": _row(back=_ok("seated, feet braced, the torso stays upright")),
    "machine_row": _row(back=_ok("the chest pad carries the torso")),
    "kettlebell_row": _row(back=_BENT_BACK),
    "band_row": _row(),
    "band_lat_pulldown": _row(S.OVERHEAD, shoulder=_c("arms overhead, lightly loaded")),
    "table_inverted_row": _row(shoulder=_ok("a horizontal pull below shoulder height")),
    "towel_door_row": _row(S.GRIPPING, elbow=_c("a towel grip works the forearm flexors hard")),
    "straight_arm_pulldown": _row(shoulder=_c("loaded shoulder extension from overhead")),
    "dumbbell_pullover": _row(
        S.OVERHEAD,
        S.END_RANGE,
        shoulder=_a("loaded end-range shoulder flexion behind the head"),
    ),
    # ------------------------------------------------------------------ quads
    "barbell_back_squat": _row(
        S.SQUATTING,
        S.AXIAL_LOADING,
        S.DEEP_KNEE_FLEXION,
        S.DEEP_HIP_FLEXION,
        knee=_SQUAT_KNEE,
        back=_AXIAL,
        hip=_SQUAT_HIP,
        shoulder=_RACK_SH,
        wrist=_c("a low bar position bends the wrists back"),
    ),
    "front_squat": _row(
        S.SQUATTING,
        S.AXIAL_LOADING,
        S.DEEP_KNEE_FLEXION,
        S.DEEP_HIP_FLEXION,
        knee=_SQUAT_KNEE,
        back=_a("the bar in front still compresses the spine; upright lowers shear, not load"),
        hip=_SQUAT_HIP,
        wrist=_a("the front rack forces the wrist into end-range extension"),
        elbow=_c("the front rack holds the elbow in full flexion"),
        shoulder=_c("the front rack needs end-range shoulder flexion"),
    ),
    "barbell_box_squat": _row(
        S.SQUATTING,
        S.AXIAL_LOADING,
        knee=_a("a heavy bar bent to parallel: the box limits depth, not the knee's load"),
        back=_a("a bar on the back loads the spine axially; sitting back adds forward lean"),
        hip=_BOX_HIP,
        shoulder=_RACK_SH,
    ),
    # Deep hip flexion at the bottom when the sled comes low: a note that names deep hip
    # flexion or a hip pinch rules it out, though the hip verdict itself is OK.
    "leg_press": _row(
        S.DEEP_HIP_FLEXION,
        knee=_ok("guided, and the depth is set to a pain-free range (about 90 degrees)"),
        back=_ok("the pad supports the back; stop before the pelvis tucks"),
        hip=_ok("seat angle and depth keep the hip short of deep flexion"),
    ),
    "hack_squat": _row(
        S.SQUATTING,
        S.DEEP_KNEE_FLEXION,
        knee=_a("deep flexion with the knees far forward: high patellofemoral load"),
        back=_c("shoulder pads load the spine, though the back is supported"),
        hip=_c("deep hip flexion at the bottom"),
    ),
    "bulgarian_split_squat": _row(
        S.LUNGE,
        S.DEEP_KNEE_FLEXION,
        knee=_LUNGE_KNEE,
        hip=_LUNGE_HIP,
        back=_c("an asymmetric stance with load in the hands"),
    ),
    "dumbbell_goblet_squat": _row(
        S.SQUATTING,
        S.DEEP_KNEE_FLEXION,
        S.DEEP_HIP_FLEXION,
        knee=_a("goblet loading invites full depth: deep loaded knee flexion"),
        hip=_a("goblet loading invites full depth: deep hip flexion"),
        back=_GOBLET_BACK,
    ),
    "dumbbell_box_squat": _row(S.SQUATTING, knee=_BOX_KNEE, hip=_BOX_HIP),
    "dumbbell_walking_lunge": _row(S.LUNGE, S.DEEP_KNEE_FLEXION, knee=_LUNGE_KNEE, hip=_LUNGE_HIP),
    "step_up": _row(
        S.LUNGE,
        knee=_a("one knee extends the whole bodyweight from a bent position"),
        hip=_c("single-leg hip extension from flexion"),
    ),
    "kettlebell_goblet_squat": _row(
        S.SQUATTING,
        S.DEEP_KNEE_FLEXION,
        S.DEEP_HIP_FLEXION,
        knee=_a("goblet loading invites full depth: deep loaded knee flexion"),
        hip=_a("goblet loading invites full depth: deep hip flexion"),
        back=_GOBLET_BACK,
    ),
    "spanish_squat": _row(
        knee=_ok(
            "a band behind the knees keeps the shins upright: low patellofemoral shear, "
            "a patellar-tendon rehabilitation staple"
        ),
    ),
    "bodyweight_box_squat": _row(S.SQUATTING, knee=_BOX_KNEE, hip=_BOX_HIP),
    "bodyweight_squat": _row(
        S.SQUATTING,
        S.DEEP_KNEE_FLEXION,
        knee=_a("full-depth squatting with nothing to limit the range"),
        hip=_c("deep hip flexion at the bottom"),
    ),
    "bodyweight_split_squat": _row(S.LUNGE, knee=_LUNGE_KNEE, hip=_LUNGE_HIP),
    "rear_foot_elevated_split_squat": _row(
        S.LUNGE,
        S.DEEP_KNEE_FLEXION,
        knee=_LUNGE_KNEE,
        hip=_a("the raised rear leg stretches the hip into end-range extension"),
    ),
    "skater_squat": _row(
        S.SQUATTING,
        S.DEEP_KNEE_FLEXION,
        knee=_a("single-leg deep knee flexion with the whole bodyweight"),
        hip=_a("single-leg deep hip flexion with rotation"),
    ),
    "pistol_squat": _row(
        S.SQUATTING,
        S.DEEP_KNEE_FLEXION,
        S.DEEP_HIP_FLEXION,
        knee=_a("single-leg full-depth knee flexion"),
        hip=_a("single-leg full-depth hip flexion"),
    ),
    "leg_extension": _row(
        knee=_a(
            "open-chain extension: peak patellofemoral stress and anterior (ACL) shear "
            "near full extension"
        ),
    ),
    "reverse_nordic": _row(S.KNEELING, knee=_a("kneeling, loaded deep knee flexion")),
    # ------------------------------------------------------------------ hamstrings
    "conventional_deadlift": _row(
        S.HINGE,
        S.FLOOR_PULL,
        S.GRIPPING,
        back=_a("the heaviest load in the catalog held in front of a bent hip"),
        hip=_a("a heavy pull from deep hip flexion at the floor"),
        knee=_ok("the knee works mid-range and unloads as the bar passes it"),
    ),
    "romanian_deadlift": _row(S.HINGE, S.GRIPPING, back=_HINGE_BACK, hip=_HINGE_HIP),
    "good_morning": _row(
        S.HINGE,
        S.AXIAL_LOADING,
        back=_a("a bar on the back with the torso near horizontal: extreme lumbar moment"),
        hip=_a("loaded end-range hip flexion"),
        shoulder=_RACK_SH,
    ),
    "dumbbell_romanian_deadlift": _row(S.HINGE, back=_HINGE_BACK, hip=_HINGE_HIP),
    "dumbbell_single_leg_rdl": _row(
        S.HINGE,
        back=_c("a hinge, but light with the load close"),
        hip=_c("single-leg stance loads the hip in flexion and rotation"),
    ),
    "kettlebell_swing": _row(
        S.HINGE,
        back=_a("a ballistic hinge: fast, repeated lumbar loading"),
        hip=_c("fast end-range hip flexion and extension"),
    ),
    "kettlebell_romanian_deadlift": _row(S.HINGE, back=_HINGE_BACK, hip=_HINGE_HIP),
    "band_good_morning": _row(
        S.HINGE,
        back=_a(
            "a held forward bend under load: band tension peaks as the torso rises, the "
            "lumbar spine under a moment (leg curls train the muscle without it)"
        ),
        hip=_HINGE_HIP,
    ),
    "single_leg_rdl": _row(
        S.HINGE,
        back=_c("an unloaded hinge"),
        hip=_c("single-leg stance loads the hip in flexion and rotation"),
    ),
    "lying_leg_curl": _row(knee=_CURL_KNEE),
    "seated_leg_curl": _row(knee=_CURL_KNEE),
    "cable_leg_curl": _row(knee=_CURL_KNEE),
    "band_leg_curl": _row(knee=_CURL_KNEE),
    "sliding_leg_curl": _row(
        S.HAMSTRING_LENGTHENING, knee=_CURL_KNEE, back=_ok("a bridge with a neutral spine")
    ),
    "nordic_curl": _row(
        S.KNEELING,
        S.HAMSTRING_LENGTHENING,
        knee=_a("kneeling with very high eccentric hamstring force across the knee"),
    ),
    # ------------------------------------------------------------------ glutes
    "barbell_hip_thrust": _row(
        back=_ok("the bench supports the upper back; keep the ribs down at lockout"),
        hip=_ok("mid-range hip extension, used in hip rehabilitation"),
    ),
    "dumbbell_hip_thrust": _row(
        back=_ok("the bench supports the upper back; keep the ribs down at lockout"),
        hip=_ok("mid-range hip extension, used in hip rehabilitation"),
    ),
    "machine_hip_abduction": _row(hip=_ok("abduction against a guided load, a rehab staple")),
    "cable_pull_through": _row(S.HINGE, back=_c("a hinge, though the load pulls from behind")),
    "cable_kickback": _row(back=_c("end-range hip extension tempts lumbar extension")),
    "kettlebell_glute_bridge": _row(),
    "band_lateral_walk": _row(),
    "glute_bridge": _row(back=_ok("a supported bridge with a neutral spine")),
    "single_leg_glute_bridge": _row(),
    # ------------------------------------------------------------------ front delts
    "overhead_press": _row(
        S.OVERHEAD,
        S.AXIAL_LOADING,
        shoulder=_OVERHEAD_SH,
        back=_a("a standing bar overhead compresses the spine and invites lumbar extension"),
        wrist=_c("the bar sits in an extended wrist overhead"),
    ),
    "landmine_press": _row(
        shoulder=_ok("an angled path short of full overhead: the usual shoulder-friendly press"),
    ),
    "seated_dumbbell_shoulder_press": _row(
        S.OVERHEAD,
        shoulder=_OVERHEAD_SH,
        back=_ok("seated against a back pad"),
    ),
    "standing_dumbbell_shoulder_press": _row(
        S.OVERHEAD,
        shoulder=_OVERHEAD_SH,
        back=_c("standing overhead: axial load and a pull into lumbar extension"),
    ),
    "machine_shoulder_press": _row(
        S.OVERHEAD,
        shoulder=_a("guided, but still full shoulder flexion overhead"),
    ),
    "kettlebell_press": _row(
        S.OVERHEAD,
        shoulder=_OVERHEAD_SH,
        wrist=_a("the bell rests on the back of the forearm and levers the wrist back overhead"),
        back=_c("standing overhead: axial load"),
    ),
    "band_overhead_press": _row(S.OVERHEAD, shoulder=_OVERHEAD_SH),
    "pike_push_up": _row(
        S.OVERHEAD,
        S.PUSH_UP,
        shoulder=_a("bodyweight pressed overhead through the impingement arc"),
        wrist=_PUSH_WRIST,
    ),
    # Pressing already trains the front delts: a raise into the painful arc is not needed.
    "dumbbell_front_raise": _row(shoulder=_FRONT_RAISE),
    "cable_front_raise": _row(shoulder=_FRONT_RAISE),
    "band_front_raise": _row(shoulder=_FRONT_RAISE),
    # ------------------------------------------------------------------ side / rear delts
    "upright_row": _row(
        S.CLOSE_GRIP,
        shoulder=_a("abduction with internal rotation: the classic impingement position"),
        wrist=_a("a narrow grip flexes the wrists under load"),
    ),
    "kettlebell_high_pull": _row(
        shoulder=_a("a fast pull into abduction with internal rotation"),
        back=_c("a hinge-driven pull"),
    ),
    "dumbbell_lateral_raise": _row(shoulder=_RAISE_SH),
    "rear_delt_dumbbell_fly": _row(back=_BENT_BACK),
    "machine_lateral_raise": _row(shoulder=_RAISE_SH),
    "reverse_pec_deck": _row(shoulder=_ok("horizontal abduction below shoulder height")),
    "cable_lateral_raise": _row(shoulder=_RAISE_SH),
    "face_pull": _row(shoulder=_ok("external rotation with the arms apart: a rehab staple")),
    "kettlebell_lateral_raise": _row(shoulder=_RAISE_SH),
    "band_lateral_raise": _row(shoulder=_RAISE_SH),
    "band_pull_apart": _row(shoulder=_ok("light horizontal abduction, a rehab staple")),
    "prone_y_t_raise": _row(shoulder=_ok("light prone scapular work used in shoulder rehab")),
    "reverse_snow_angel": _row(shoulder=_c("sweeps the arms to overhead")),
    # ------------------------------------------------------------------ biceps
    "barbell_curl": _row(
        S.SUPINATED,
        wrist=_a("a straight bar forces full supination with the wrist bent back"),
        elbow=_a("heavy supinated flexion loads the distal biceps and medial elbow"),
    ),
    "dumbbell_curl": _row(S.SUPINATED, elbow=_SUPINE_EL),
    "hammer_curl": _row(elbow=_ok("a neutral grip: the usual elbow-friendly curl")),
    "incline_dumbbell_curl": _row(
        S.SUPINATED,
        S.END_RANGE,
        shoulder=_a("the arm hangs behind the body: the shoulder stretched in extension"),
        elbow=_SUPINE_EL,
    ),
    "machine_preacher_curl": _row(
        S.SUPINATED,
        elbow=_a("the pad loads the elbow in full extension, the distal biceps' weak spot"),
    ),
    "cable_curl": _row(S.SUPINATED, elbow=_SUPINE_EL),
    "kettlebell_curl": _row(S.SUPINATED, elbow=_SUPINE_EL),
    "band_curl": _row(S.SUPINATED, elbow=_ok("light, with the band slack at full extension")),
    "towel_door_curl": _row(S.GRIPPING, elbow=_c("a towel grip works the forearm flexors hard")),
    # ------------------------------------------------------------------ triceps
    "close_grip_bench_press": _row(
        S.CLOSE_GRIP,
        elbow=_a("a narrow grip drives heavy load through a deeply bent elbow"),
        wrist=_a("a narrow grip bends the wrists under a heavy bar"),
        shoulder=_a("fixed grip: loaded end-range shoulder extension at the bottom"),
    ),
    "machine_dip": _row(S.DIPS, S.END_RANGE, elbow=_DIP_ELBOW, shoulder=_DIP_SHOULDER),
    "bench_dip": _row(
        S.DIPS, S.END_RANGE, elbow=_DIP_ELBOW, shoulder=_DIP_SHOULDER, wrist=_DIP_WRIST
    ),
    "chair_dip": _row(
        S.DIPS, S.END_RANGE, elbow=_DIP_ELBOW, shoulder=_DIP_SHOULDER, wrist=_DIP_WRIST
    ),
    "diamond_push_up": _row(
        S.CLOSE_GRIP,
        S.PUSH_UP,
        elbow=_a("hands together: bodyweight through a deeply bent elbow"),
        wrist=_PUSH_WRIST,
        shoulder=_PUSH_SHOULDER,
    ),
    "skull_crusher": _row(
        elbow=_a("lying extension loads the triceps tendon at the olecranon in deep flexion"),
        wrist=_c("a straight bar bends the wrists"),
    ),
    "dumbbell_overhead_triceps_extension": _row(
        S.OVERHEAD,
        S.END_RANGE,
        elbow=_a("deep loaded elbow flexion behind the head"),
        shoulder=_a("loaded end-range shoulder flexion"),
    ),
    "dumbbell_kickback": _row(elbow=_ok("light extension with the upper arm still")),
    "cable_triceps_pushdown": _row(elbow=_ok("arm at the side, mid-range, light steps")),
    "overhead_cable_extension": _row(
        S.OVERHEAD,
        shoulder=_a("loaded end-range shoulder flexion"),
        elbow=_c("deep elbow flexion behind the head"),
    ),
    "kettlebell_overhead_extension": _row(
        S.OVERHEAD,
        S.END_RANGE,
        elbow=_a("deep loaded elbow flexion behind the head"),
        shoulder=_a("loaded end-range shoulder flexion"),
    ),
    "band_pushdown": _row(elbow=_ok("arm at the side, light band tension")),
    "bodyweight_triceps_extension": _row(
        elbow=_a("bodyweight through a deeply bent elbow"),
        wrist=_a("bodyweight on hands flat on a table, the wrists bent back"),
    ),
    # ------------------------------------------------------------------ calves
    "standing_calf_raise": _row(back=_c("shoulder pads load the spine axially")),
    "seated_calf_raise": _row(back=_ok("seated: the spine carries no load")),
    "barbell_calf_raise": _row(
        S.AXIAL_LOADING,
        back=_a("a bar on the back loads the spine axially"),
        shoulder=_RACK_SH,
    ),
    "dumbbell_calf_raise": _row(),
    "kettlebell_calf_raise": _row(),
    "bodyweight_calf_raise": _row(),
    "single_leg_calf_raise": _row(),
    # ------------------------------------------------------------------ abs
    "cable_crunch": _row(S.SPINAL_FLEXION, back=_CRUNCH_BACK),
    "machine_crunch": _row(S.SPINAL_FLEXION, back=_CRUNCH_BACK),
    "hanging_leg_raise": _row(
        S.HANGING,
        S.OVERHEAD,
        S.GRIPPING,
        shoulder=_HANG_SH,
        back=_c("the hip flexors pull on the lumbar spine"),
        elbow=_c("a sustained grip while hanging"),
    ),
    "barbell_rollout": _row(
        back=_a("a long anti-extension lever: high lumbar load if the position is lost"),
        shoulder=_a("end-range shoulder flexion under load"),
        wrist=_c("the wrists hold the bar while extended"),
    ),
    "dumbbell_weighted_crunch": _row(S.SPINAL_FLEXION, back=_CRUNCH_BACK),
    "pallof_press": _row(back=_ok("anti-rotation with a neutral spine, a back-rehab staple")),
    "band_pallof_press": _row(back=_ok("anti-rotation with a neutral spine, a back-rehab staple")),
    "kettlebell_dead_bug": _row(back=_ok("a supported neutral spine")),
    "crunch": _row(S.SPINAL_FLEXION, back=_CRUNCH_BACK),
    "reverse_crunch": _row(S.SPINAL_FLEXION, back=_CRUNCH_BACK),
    "dead_bug": _row(back=_ok("a supported neutral spine")),
    # ------------------------------------------------------------------ power
    "landmine_push_press": _row(
        shoulder=_ok("the angled landmine path stays short of full overhead"),
        back=_c("a fast leg drive into a standing press loads the trunk"),
        wrist=_c("the sleeve rests in a hand bent back as it is driven"),
    ),
    # The catch drops under the bar into a quarter squat, feet leaving the floor: a
    # landing, on top of the fast hinge.
    "hang_power_clean": _row(
        S.HINGE,
        S.JUMPING,
        hip=_a("a fast hip extension from a hinge, then a dropped catch into a quarter squat"),
        knee=_c("the catch lands the bar's load on bent knees"),
    ),
    # The older-adult trials' power exercise: a rise from a chair, trunk upright, no
    # impact, partial depth, sitting down slowly.
    "fast_chair_stand": _row(
        back=_ok("an upright trunk rising from a chair, without impact or a loaded bend"),
        knee=_ok("partial depth set by the chair, no impact"),
        hip=_ok("the chair sets the hip above deep flexion"),
    ),
    "band_speed_press": _row(shoulder=_ok("band tension is lowest in the stretched position")),
    "cable_woodchop": _row(
        back=_c("fast trunk rotation under load"),
        shoulder=_c("the arms sweep from high to low through a wide arc"),
    ),
    "band_woodchop": _row(
        back=_c("fast trunk rotation under light band tension"),
        shoulder=_c("the arms sweep from high to low through a wide arc"),
    ),
    "dumbbell_speed_floor_press": _row(
        shoulder=_c("the floor stops the elbows, but a fast press loads the joint hard"),
    ),
    "pogo_hop": _row(
        S.JUMPING,
        knee=_c("low hops with the knee nearly straight: the smallest landing of any jump"),
        hip=_c("repeated low landings through the hip"),
        back=_c("repeated low landings compress the spine"),
    ),
    # ------------------------------------------------------------------ balance
    "single_leg_balance_reach": _row(
        S.LUNGE,
        knee=_a("the standing knee bends under bodyweight through the reach"),
        hip=_a("single-leg stance with a deep reach: the standing hip flexes and rotates"),
    ),
    "lying_leg_raise": _row(
        back=_a("long-lever hip flexion pulls the lumbar spine into extension"),
    ),
}

# Supported variants beyond the machines (which all count): the body or the load rests on
# a bench, the floor, a box or a pad, so the joint stays in a set range. Preferred for
# older and injured lifters (docs/injuries.md).
SUPPORTED: frozenset[str] = frozenset(
    {
        "dumbbell_floor_press",
        "kettlebell_floor_press",
        "chest_supported_dumbbell_row",
        "seated_cable_row",
        "lat_pulldown",
        "seated_dumbbell_shoulder_press",
        "dumbbell_box_squat",
        "bodyweight_box_squat",
        "glute_bridge",
        "barbell_hip_thrust",
        "dumbbell_hip_thrust",
    }
)

# High-skill or long-lever exercises an older lifter uses only as a last resort, like a
# caution: Fragala et al. 2019 (NSCA, older adults) advise progressing from stable,
# simpler movements. Which exercises count is this project's judgement.
DEMANDING: frozenset[str] = frozenset(
    {
        "pistol_squat",
        "skater_squat",
        "nordic_curl",
        "reverse_nordic",
        "deficit_push_up",
        "feet_elevated_push_up",
        "pike_push_up",
        "diamond_push_up",
        "hanging_leg_raise",
        "barbell_rollout",
        "kettlebell_swing",
        "good_morning",
        # Set-ups with a fall risk: lying under a table to pull, and balancing on one leg
        # while hinging without a hand on a support (a band or towel row, or a bridge,
        # does the job).
        "table_inverted_row",
        "single_leg_rdl",
    }
)
